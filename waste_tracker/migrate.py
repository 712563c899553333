"""Programmatic Alembic: upgrade to head, and tell whether a database is at head."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from waste_tracker.config import PROJECT_ROOT


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
