"""Alembic environment: one metadata, GeoAlchemy2's helpers in both offline and online modes."""

from __future__ import annotations

from alembic import context
from geoalchemy2 import alembic_helpers
from sqlalchemy import pool

import waste_tracker.models  # noqa: F401 - registers every table on the metadata
from waste_tracker.config import get_settings
from waste_tracker.db import make_sync_engine, owner_database_url
from waste_tracker.migrate import grant_app_role
from waste_tracker.models.base import metadata

config = context.config
target_metadata = metadata

# PostGIS's own tables (spatial_ref_sys, topology) are not ours to manage.
_POSTGIS_TABLES = {"spatial_ref_sys", "topology", "layer"}


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    if type_ == "table" and name in _POSTGIS_TABLES:
        return False
    if type_ == "table" and reflected and (name.startswith("track_point_y") or name == "track_point_default"):
        return False  # track_point's monthly partitions: made by track_point_ensure_partitions(), not by models
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def _url() -> str:
    return config.attributes.get("url") or config.get_main_option("sqlalchemy.url") or owner_database_url()


# GeoAlchemy2's helpers in both modes, or autogenerate duplicates spatial indexes and misses imports.
SPATIAL = {
    "target_metadata": target_metadata,
    "include_object": include_object,
    "process_revision_directives": alembic_helpers.writer,
    "render_item": alembic_helpers.render_item,
    "compare_type": True,
}


def run_migrations_offline() -> None:
    context.configure(url=_url(), literal_binds=True, **SPATIAL)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = make_sync_engine(_url(), poolclass=pool.NullPool)
        with engine.connect() as conn:
            _run(conn)
        engine.dispose()
    else:
        _run(connection)


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, **SPATIAL)
    with context.begin_transaction():
        context.run_migrations()
        grant_app_role(connection, config.attributes.get("app_role") or get_settings().app_role)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
