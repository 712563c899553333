"""Test fixtures: a throwaway PostGIS database per run, built by the migrations; each test runs
inside an outer transaction that is rolled back (``committed`` tests truncate instead).

The run's database is ``waste_tracker_test_<pid>`` on the embedded cluster (or on the server of
``TEST_DATABASE_URL`` when set). The ``make run`` database is never touched.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import psycopg
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

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
    "catalogue_edition",
    "catalogue_code_change",
    "catalogue_exemption",
    "method_code",
    "alembic_version",
    "spatial_ref_sys",
}


@dataclass(frozen=True)
class DatabaseRoles:
    """The test database under its three roles (one URL for all three with TEST_DATABASE_URL)."""

    admin: str  # the cluster's superuser: tampering in tests, truncation
    owner: str  # runs migrations (docs/operations.md, "Database roles")
    app: str  # what the service connects as

    @property
    def env(self) -> dict[str, str]:
        """For a subprocess: the service's URL and the owner's."""
        return {"DATABASE_URL": self.app, "WASTE_TRACKER_OWNER_DATABASE_URL": self.owner}


def _test_db() -> Iterator[DatabaseRoles]:
    name = f"waste_tracker_test_{os.getpid()}"
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        url = make_url(base).set(drivername="postgresql+psycopg")
        admin = url.set(database="postgres").render_as_string(hide_password=False).replace("+psycopg", "")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        one = url.set(database=name).render_as_string(hide_password=False)
        yield DatabaseRoles(admin=one, owner=one, app=one)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    cluster = localdb.up(localdb.cluster_from_settings(Settings(database_url=None)), quiet=True)
    localdb.drop_database(cluster, name)
    localdb.create_database(cluster, name)
    yield DatabaseRoles(
        admin=cluster.url(name),
        owner=cluster.url(name, role=localdb.OWNER_ROLE),
        app=cluster.url(name, role=localdb.APP_ROLE),
    )
    if not os.environ.get("KEEP_TEST_DB"):
        localdb.drop_database(cluster, name)


@pytest.fixture(scope="session")
def test_db() -> Iterator[DatabaseRoles]:
    yield from _test_db()


@pytest.fixture(scope="session")
def db_url(test_db: DatabaseRoles) -> str:
    """The application role's URL (subprocesses: pass ``test_db.env``)."""
    return test_db.app


async def as_admin(conn: AsyncSession | AsyncConnection) -> None:
    """For tests that tamper as a database superuser would: the rest of this transaction runs as
    the cluster's administrator instead of the application role (the in-process engine logs in
    as the administrator and works as the application role, see ``engine``)."""
    await conn.execute(text("SET LOCAL ROLE NONE"))


@pytest.fixture(scope="session")
def settings(db_url: str) -> Settings:
    return Settings(env="test", database_url=db_url, secret_key=TEST_SECRET, login_max_attempts=10_000)


@pytest.fixture(scope="session")
async def engine(test_db: DatabaseRoles, settings: Settings) -> AsyncIterator[AsyncEngine]:
    await asyncio.to_thread(upgrade, test_db.owner)
    eng = make_async_engine(test_db.admin, pool_size=5, max_overflow=60)
    if test_db.app != test_db.admin:
        # Everything in-process runs with the application role's privileges; tamper tests step
        # out of it for one transaction with ``as_admin``.
        @event.listens_for(eng.sync_engine, "connect")
        def _as_app(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute(f'SET ROLE "{localdb.APP_ROLE}"')
            cur.close()
            dbapi_conn.commit()

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
            await as_admin(conn)
            guarded = await _append_only_triggers(conn)
            for table, trigger in guarded:
                await conn.execute(text(f'ALTER TABLE "{table}" DISABLE TRIGGER "{trigger}"'))
            await conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in mine) + " CASCADE"))
            for table, trigger in guarded:
                await conn.execute(text(f'ALTER TABLE "{table}" ENABLE ALWAYS TRIGGER "{trigger}"'))


async def _append_only_triggers(conn: AsyncConnection) -> list[tuple[str, str]]:
    rows = await conn.execute(
        text("""SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                WHERE NOT t.tgisinternal AND t.tgenabled = 'A'""")
    )
    return [(r[0], r[1]) for r in rows]
