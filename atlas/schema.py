"""The tables, as SQLAlchemy Core sees them. Alembic migrations (atlas/migrations) make them in a database.

A change here is a new migration too; tests compare nothing automatically, so write both.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()
projects = Table(
    "projects", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(150), nullable=False),
    Column("traeger", String(150), nullable=False, default=""),
    Column("description", Text, nullable=False, default=""),
    Column("handlungsfelder", String(100), nullable=False),
    Column("hf_mask", Integer, nullable=False),
    Column("street", String(150), nullable=False, default=""),
    Column("plz", String(5), nullable=False, default=""),
    Column("ort", String(100), nullable=False, default=""),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("precision", String(20), nullable=False),
    Column("approximate", Boolean, nullable=False, default=False),
    Column("kreis_rs", String(5), nullable=False, index=True),
    Column("kreis_name", String(100), nullable=False),
    Column("arl", String(20), nullable=False, index=True),
    Column("website", String(300), nullable=False, default=""),
    Column("email", String(254), nullable=False, default=""),
    Column("status", String(10), nullable=False, index=True),
    Column("reject_reason", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("row_version", Integer, nullable=False, default=1),  # every write checks and moves it on
    Index("ix_projects_lat_lon", "lat", "lon"),  # the duplicate check looks into a small box around a point
)
users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("arl", String(20), nullable=True),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
changes = Table(
    "changes", metadata,
    Column("id", Integer, primary_key=True),
    Column("project_id", Integer, nullable=False, index=True),
    Column("actor", String(254), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("action", String(20), nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Column("status", String(10), nullable=True),  # the project's status after the change
    Column("row_version", Integer, nullable=True),  # the project's version after the change
)
office_sessions = Table(
    "office_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)
geocode_answers = Table(
    "geocode_answers", metadata,
    Column("query", String(300), primary_key=True),
    Column("hits", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
geocode_pace = Table(
    "geocode_pace", metadata,
    Column("id", Integer, primary_key=True),
    Column("next_at", Float, nullable=False),
)
meta = Table("meta", metadata, Column("key", String(40), primary_key=True), Column("value", Integer, nullable=False))
