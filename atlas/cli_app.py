"""What the `atlas` command's modules share: the app's services, and a command run in the app's context."""

from __future__ import annotations

import functools

from flask import current_app
from flask.cli import with_appcontext

from atlas.cli_errors import one_line_errors


def services():
    return current_app.extensions["atlas"]


def with_app(command):
    """Flask's app context for a command, and whatever goes wrong in it as one German line, exit code 1."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        with one_line_errors(current_app):
            return command(*args, **kwargs)

    return with_appcontext(run)
