"""Names that enterprises type (organisations, sites) reach the maps' tooltips as text, never as
HTML: a site called ``<img ...>`` is shown with its brackets and adds no element to the page."""

from __future__ import annotations

from playwright.async_api import Browser
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests import factories as f
from tests.conftest import TEST_SECRET
from tests.manifest.conftest import build_world
from tests.web.browser import Watch, login, new_context, shot
from tests.web.conftest import LiveServer
from waste_tracker.auth.service import principal_for
from waste_tracker.config import Settings
from waste_tracker.manifest import service
from waste_tracker.manifest.commands import Draft
from waste_tracker.models import Alert
from waste_tracker.scan.service import scan
from waste_tracker.scan.tokens import make_token

HOSTILE = '<img src=x id=pwned onerror="document.title=1">厂区'


async def _alert_at_a_hostile_site(engine: AsyncEngine) -> int:
    async with AsyncSession(engine, expire_on_commit=False) as s:
        w = await build_world(s)
        w.gen_site.name = HOSTILE
        w.generator.name = "<b>粗体</b>化工"
        await s.flush()
        settings = Settings(env="test", secret_key=TEST_SECRET)
        gen = await principal_for(s, w.gen_user, settings)
        m = await service.create_draft(
            s,
            gen,
            Draft.of(
                w.body() | {"generator_site_id": w.gen_site.id, "carrier_org_id": w.carrier.id, "receiver_site_id": w.rcv_site.id}
            ),
        )
        await service.submit(s, gen, m.id)
        lon, lat = f.POINTS[330402]

        await scan(
            s,
            await principal_for(s, w.driver, settings),
            secret=TEST_SECRET,
            token=make_token(TEST_SECRET, m.id, m.number or ""),
            action="pickup",
            lon=lon + 0.03,  # ~2.9 km from the site: a geofence alert
            lat=lat,
            accuracy_m=8.0,
            device_time=None,
            vehicle_plate=w.truck.plate,
            quantity_kg=None,
            geofence_m=500.0,
        )
        alert_id = (await s.execute(select(Alert.id).where(Alert.manifest_id == m.id))).scalars().first()
        await s.commit()
    assert alert_id is not None
    return alert_id


async def test_enterprise_names_on_the_alert_map_are_text(
    live_server: LiveServer, browser: Browser, committed: AsyncEngine
) -> None:
    alert_id = await _alert_at_a_hostile_site(committed)
    watch = Watch(live_server.url)
    ctx = await new_context(browser, watch)
    page = await ctx.new_page()
    await login(page, "jiaxing-regulator")
    await page.goto(f"/reg/alerts/{alert_id}")
    await page.locator("#alert-map[data-ready=true]").wait_for()
    # The sites' names stay on the map (permanent labels): the generator's is the hostile one.
    tip = page.locator(".leaflet-tooltip.site", has_text="pwned")
    await tip.wait_for()
    assert HOSTILE in await tip.inner_text()
    assert "<b>粗体</b>化工" in await page.locator("dl.facts").first.inner_text()  # the firm's name, as text
    assert await page.locator("#pwned").count() == 0
    assert await page.locator(".leaflet-tooltip b").count() == 0
    assert await page.title() != "1"
    await shot(page, "map-text-tooltip")
    await ctx.close()
