"""Demo seed idempotence; migrations from empty to head; no drift between models and migrations."""

import io

from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker import localdb
from waste_tracker.config import Settings
from waste_tracker.migrate import alembic_config, upgrade
from waste_tracker.models import Licence, Organisation, Site, User, Vehicle
from waste_tracker.seed.demo import ORGS, seed


async def _counts(session: AsyncSession) -> dict[str, int]:
    out = {}
    for model in (Organisation, Site, Licence, Vehicle, User):
        out[model.__name__] = (await session.execute(select(func.count()).select_from(model))).scalar_one()
    return out


async def test_demo_seed_is_idempotent(session: AsyncSession) -> None:
    first = await seed(session)
    assert first["organisations"] == len(ORGS)
    after_first = await _counts(session)
    second = await seed(session)
    assert set(second.values()) == {0}
    assert await _counts(session) == after_first
    names = set((await session.execute(select(User.username))).scalars())
    assert {"admin", "jiaxing-regulator", "haining-regulator", "driver-lvtong", "nanhu-chem"} <= names
    # Every demo site lies in the county it claims; some waste has no in-county outlet.
    general_receiver_counties = set(
        (
            await session.execute(
                text("SELECT s.county_adcode FROM licence l JOIN site s ON s.id = l.site_id WHERE l.kind = 'general'")
            )
        ).scalars()
    )
    assert 0 < len(general_receiver_counties) < 7
    outside = (
        await session.execute(
            text(
                "SELECT count(*) FROM site s JOIN organisation o ON o.id = s.organisation_id "
                "WHERE 'receiver' = ANY(o.roles) AND s.city_adcode <> 330400"
            )
        )
    ).scalar()
    assert outside >= 1


def test_migrations_from_empty_to_head_and_no_drift() -> None:
    cluster = localdb.cluster_from_settings(Settings(database_url=None))
    name = "waste_tracker_migration_check"
    localdb.drop_database(cluster, name)
    localdb.create_database(cluster, name)
    try:
        url = cluster.url(name)
        upgrade(url)
        cfg = alembic_config(url)
        cfg.stdout = io.StringIO()
        command.check(cfg)  # raises if autogenerate would emit any operation
        command.downgrade(cfg, "base")
        upgrade(url)
    finally:
        localdb.drop_database(cluster, name)


async def test_readyz_reports_current_migrations(client) -> None:  # type: ignore[no-untyped-def]
    r = await client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["migrations"] == "current"
    assert (await client.get("/healthz")).json() == {"status": "ok"}
