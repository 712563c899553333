"""Key enterprises for audit tests: a generator with a site and a submitted plan of the key class."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.manifest.conftest import World, today
from waste_tracker.auth.service import principal_for
from waste_tracker.config import Settings
from waste_tracker.models import Organisation, Site, User
from waste_tracker.plan import service as plans

SETTINGS = Settings(env="test")


async def make_key(s: AsyncSession, w: World, org: Organisation, site: Site, user: User, expected_t: str = "150") -> None:
    p = await principal_for(s, user, SETTINGS)
    body = {
        "wastes": [{"waste_code": "900-249-08", "physical_form": "liquid", "expected_t": expected_t}],
        "transfers": [
            {
                "receiver_site_id": str(w.rcv_site.id),
                "method_code": "D10",
                "waste_codes": ["900-249-08"],
                "expected_t": expected_t,
            }
        ],
    }
    plan = await plans.create(s, p, site_id=site.id, year=today().year, kind="hazardous", body=body)
    await plans.submit(s, p, plan.id)
    assert plan.management_class == ("key" if Decimal(expected_t) >= 100 else plan.management_class)


async def key_enterprise(s: AsyncSession, w: World, county: int, expected_t: str = "150") -> Organisation:
    org = await f.organisation(s, roles=["generator"], region=str(county))
    site = await f.site(s, org=org, county=county)
    user = await f.user(s, org=org)
    await make_key(s, w, org, site, user, expected_t)
    return org
