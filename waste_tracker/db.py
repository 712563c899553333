"""Engines and sessions.

The request path is async (psycopg 3); the CLI and Alembic use the same URL synchronously.
Services take an ``AsyncSession`` and only ``flush``; whoever opened the unit of work commits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from waste_tracker.config import Settings, get_settings
from waste_tracker.errors import Conflict

T = TypeVar("T")


def _driver(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def database_url(settings: Settings | None = None) -> str:
    """What the service connects as (the application role): ``DATABASE_URL`` when set, else the
    embedded cluster's socket URL for its application role."""
    s = settings or get_settings()
    if s.database_url:
        return _driver(s.database_url)
    from waste_tracker.localdb import APP_ROLE, cluster_from_settings

    return cluster_from_settings(s).url(role=APP_ROLE)


def owner_database_url(settings: Settings | None = None) -> str:
    """What migrations, backups and restores connect as (the schema's owner)."""
    s = settings or get_settings()
    if s.owner_database_url:
        return _driver(s.owner_database_url)
    if s.database_url:
        return _driver(s.database_url)
    from waste_tracker.localdb import OWNER_ROLE, cluster_from_settings

    return cluster_from_settings(s).url(role=OWNER_ROLE)


def make_async_engine(url: str, **kw: object) -> AsyncEngine:
    opts: dict[str, Any] = {"pool_size": 10, "max_overflow": 10, "pool_pre_ping": True, "pool_recycle": 1800}
    opts.update(kw)
    return create_async_engine(url, **opts)


def make_sync_engine(url: str, **kw: object) -> Engine:
    return create_engine(url, pool_pre_ping=True, **kw)


@lru_cache
def get_async_engine() -> AsyncEngine:
    return make_async_engine(database_url())


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def unit_of_work(
    engine: AsyncEngine | None = None, *, factory: async_sessionmaker[AsyncSession] | None = None
) -> AsyncIterator[AsyncSession]:
    """One transaction: commit on success, roll back on any error. The request dependency, the
    CLI and the seed all open theirs here (the request with the app's own session factory)."""
    async with (factory or session_factory(engine or get_async_engine()))() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


@contextmanager
def conflict_on_integrity_error(conflict: Conflict) -> Iterator[None]:
    """A unique (or key) violation in the block is ``conflict``: a concurrent writer got past the
    service's own check, and the caller gets the service's 409, not the generic one."""
    try:
        yield
    except IntegrityError as e:
        raise conflict from e


async def add_unique(session: AsyncSession, row: T, conflict: Conflict) -> T:
    """Add ``row`` and flush it; a violation of a unique constraint is ``conflict``."""
    session.add(row)
    with conflict_on_integrity_error(conflict):
        await session.flush()
    return row
