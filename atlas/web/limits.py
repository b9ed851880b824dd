"""Rate limits per client (Flask-Limiter): bots cannot flood the submission form or guess passwords."""

from __future__ import annotations

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# Storage and switches come from the app config: RATELIMIT_STORAGE_URI (memory:// for one process,
# redis://… for several), RATELIMIT_ENABLED; as environment variables ATLAS_RATELIMIT_….
limiter = Limiter(key_func=get_remote_address)


def submit_limit() -> str:
    return current_app.config["SUBMIT_RATE_LIMIT"]


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def alert_limit() -> str:
    return current_app.config["ALERT_RATE_LIMIT"]


def api_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]
