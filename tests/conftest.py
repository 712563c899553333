"""Test fixtures: a throwaway PostGIS database per run, built by the migrations; each test runs
inside an outer transaction that is rolled back (``committed`` tests truncate instead).

The run's database is ``waste_tracker_test_<pid>`` on the embedded cluster (or on the server of
``TEST_DATABASE_URL`` when set). The ``make run`` database is never touched.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator

import httpx
import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from api.app import create_app
from api.deps import get_session
from waste_tracker import localdb
from waste_tracker.config import Settings
from waste_tracker.db import make_async_engine
from waste_tracker.geo.boundaries import bundled_files, load_files
from waste_tracker.migrate import upgrade
from waste_tracker.registry.catalogue import bundled_catalogue_files, import_file
from waste_tracker.registry.jurisdictions import upsert_boundaries

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
REFERENCE_TABLES = {
    "jurisdiction",
    "waste_code",
    "catalogue_exemption",
    "method_code",
    "alembic_version",
    "spatial_ref_sys",
}


def _test_db_url() -> Iterator[str]:
    name = f"waste_tracker_test_{os.getpid()}"
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        url = make_url(base).set(drivername="postgresql+psycopg")
        admin = url.set(database="postgres").render_as_string(hide_password=False).replace("+psycopg", "")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    cluster = localdb.up(localdb.cluster_from_settings(Settings(database_url=None)), quiet=True)
    localdb.drop_database(cluster, name)
    localdb.create_database(cluster, name)
    yield cluster.url(name)
    if not os.environ.get("KEEP_TEST_DB"):
        localdb.drop_database(cluster, name)


@pytest.fixture(scope="session")
def db_url() -> Iterator[str]:
    yield from _test_db_url()


@pytest.fixture(scope="session")
def settings(db_url: str) -> Settings:
    return Settings(env="test", database_url=db_url, secret_key=TEST_SECRET, login_max_attempts=10_000)


@pytest.fixture(scope="session")
async def engine(db_url: str, settings: Settings) -> AsyncIterator[AsyncEngine]:
    await asyncio.to_thread(upgrade, db_url)
    eng = make_async_engine(db_url, pool_size=5, max_overflow=60)
    async with eng.begin() as conn:
        session = AsyncSession(bind=conn)
        await upsert_boundaries(session, load_files(bundled_files()), "test")
        for f in bundled_catalogue_files():
            await import_file(session, f)
        await session.flush()
    yield eng
    await eng.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose every commit is a savepoint inside one outer transaction, rolled back."""
    async with engine.connect() as conn:
        trans = await conn.begin()
        s = AsyncSession(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            yield s
        finally:
            await s.close()
            await trans.rollback()


@pytest.fixture
def app(settings: Settings, engine: AsyncEngine, session: AsyncSession):  # type: ignore[no-untyped-def]
    application = create_app(settings, engine)

    async def _session() -> AsyncIterator[AsyncSession]:
        # Each request is its own savepoint: an error discards the request's writes only, like
        # the real unit of work, and keeps the test's own setup data.
        nested = await session.begin_nested()
        try:
            yield session
            if nested.is_active:
                await nested.commit()
        except BaseException:
            if nested.is_active:
                await nested.rollback()
            raise

    application.dependency_overrides[get_session] = _session
    return application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def committed(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """For tests that need real commits seen by other connections; truncates afterwards."""
    yield engine
    async with engine.begin() as conn:
        tables = (await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))).scalars().all()
        mine = [t for t in tables if t not in REFERENCE_TABLES]
        if mine:
            await conn.execute(text("SET LOCAL session_replication_role = replica"))
            await conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in mine) + " CASCADE"))
