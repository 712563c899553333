"""Programmatic Alembic: upgrade to head, and tell whether a database is at head."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from waste_tracker.config import PROJECT_ROOT
from waste_tracker.privileges import grant_statements


def alembic_config(url: str | None = None) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    if url:
        cfg.attributes["url"] = url
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(connection: Connection) -> set[str]:
    """The revisions the database is at (read from its ``alembic_version``)."""
    return set(MigrationContext.configure(connection).get_current_heads())


def is_current(current: set[str]) -> bool:
    """Whether revisions read by ``current_revisions`` are the migrations' head (what /readyz asks)."""
    return current == head_revisions()


def grant_app_role(connection: Connection, role: str) -> bool:
    """Give the application role its privileges (after every migration and every restore). A
    deployment without that role (one role for everything) is left as it is; False then."""
    if not connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first():
        return False
    tables = set(connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
    for statement in grant_statements(role, tables):
        connection.execute(text(statement))
    return True


def grant_after_restore(url: str, role: str) -> bool:
    from waste_tracker.db import make_sync_engine

    engine = make_sync_engine(url)
    try:
        with engine.begin() as conn:
            return grant_app_role(conn, role)
    finally:
        engine.dispose()
