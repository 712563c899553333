"""Engines and sessions.

The request path is async (psycopg 3); the CLI and Alembic use the same URL synchronously.
Services take an ``AsyncSession`` and only ``flush``; whoever opened the unit of work commits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from waste_tracker.config import Settings, get_settings


def database_url(settings: Settings | None = None) -> str:
    """``DATABASE_URL`` when set, else the embedded cluster's socket URL."""
    s = settings or get_settings()
    if s.database_url:
        url = s.database_url
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url
    from waste_tracker.localdb import cluster_from_settings

    return cluster_from_settings(s).url()


def make_async_engine(url: str, **kw: object) -> AsyncEngine:
    opts: dict = {"pool_size": 10, "max_overflow": 10, "pool_pre_ping": True, "pool_recycle": 1800}
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
async def unit_of_work(engine: AsyncEngine | None = None) -> AsyncIterator[AsyncSession]:
    """One transaction: commit on success, roll back on any error."""
    factory = session_factory(engine or get_async_engine())
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
