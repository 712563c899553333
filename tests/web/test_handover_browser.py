"""Handover between carriers in a real browser: the generator lists a second carrier and the
handover site on the new-manifest form; the first driver picks up; the second driver's phone shows
the handover step, takes the load over with both plates and the quantity, and starts recording;
the manifest page shows both carriers. A regulator registers an approved route on its page."""

from __future__ import annotations

import json
import uuid

import httpx
from playwright.async_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.conftest import TEST_SECRET
from tests.web.browser import Watch, audit, login, new_context, shot, start_a_load
from tests.web.conftest import ARTIFACTS, LiveServer
from tests.web.test_e2e import CARRIER_NAME, GEN_AT, GENERATOR, token_of
from waste_tracker import clock
from waste_tracker.models import Organisation
from waste_tracker.registry.organisations import create_site
from waste_tracker.scan.tokens import make_token

SECOND = "嘉兴绿通危险品运输有限公司"
TRANSIT = "桐乡测试中转站"
TRANSIT_AT = (120.4850, 30.6400)

expect.set_options(timeout=20_000)


async def _transit_site(committed: AsyncEngine) -> None:
    async with AsyncSession(committed, expire_on_commit=False) as s:
        org = (await s.execute(select(Organisation).where(Organisation.name == SECOND))).scalar_one()
        await create_site(s, None, organisation_id=org.id, name=TRANSIT, lon=TRANSIT_AT[0], lat=TRANSIT_AT[1], kind="transit")
        await s.commit()


async def test_a_load_changes_hands(live_server: LiveServer, committed: AsyncEngine, browser: Browser) -> None:
    await _transit_site(committed)
    watch = Watch(live_server.url)
    gen = await new_context(browser, watch)
    page = await gen.new_page()
    await login(page, GENERATOR)
    await start_a_load(page, "2")
    await page.locator("#planned_method_code").select_option("R15")
    await page.locator("#carrier_org_id").select_option(label=CARRIER_NAME)
    await page.locator("#handovers-box summary").click()
    await page.get_by_role("button", name="添加一次交接").click()
    await page.locator("#handover-carrier-2").select_option(label=SECOND)
    await page.locator("#handover-site-2").select_option(label=f"{TRANSIT} · 中转站")
    await audit(page, "new manifest with a handover")
    await shot(page, "h01-new-manifest-handover")
    await page.locator("#submit-manifest").click()
    await page.wait_for_url("**/m/*?created=1")
    await expect(page.locator("#parties-h + dl")).to_contain_text("第 2 家承运人")
    await expect(page.locator("#parties-h + dl")).to_contain_text(f"在“{TRANSIT}”接手 · 尚未交接")
    manifest_id = page.url.split("/m/")[1].split("?")[0]

    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as api:
        m = (await api.get(f"/api/v1/manifests/{manifest_id}", headers=await token_of(api, GENERATOR))).json()
        token = make_token(TEST_SECRET, uuid.UUID(m["id"]), m["number"])
        first = await token_of(api, "driver-tongda")
        pickup = {
            "token": token,
            "action": "pickup",
            "vehicle_plate": "浙F30301",
            "quantity_kg": "2000",
            "lon": GEN_AT[0],
            "lat": GEN_AT[1],
            "device_time": clock.local(clock.now()).isoformat(),
        }
        r = await api.post("/api/v1/scans", json=pickup, headers=first)
        assert r.status_code == 201, r.text

        drv = await new_context(browser, watch, narrow=True, at=TRANSIT_AT)
        phone = await drv.new_page()
        await login(phone, "driver-lvtong")
        await phone.goto(f"/scan?m={m['number']}&t={token}")
        await expect(phone.locator("#manifest-info")).to_contain_text("您是第 2 家承运人")
        await expect(phone.locator("input[name=action][value=handover]")).to_be_checked()
        await expect(phone.locator("#from-vehicle")).to_have_value("浙F30301")
        await phone.locator("#weighed").fill("1990")
        await audit(phone, "scanner: handover")
        await shot(phone, "h02-driver-handover")
        await phone.locator("#confirm").click()
        await expect(phone.locator("#result")).to_contain_text("现在由您运输")
        await expect(phone.locator("#track-state")).to_contain_text("正在记录行驶轨迹")

        # A route approved for the pair: the manifest page draws it beside the track.
        reg = await token_of(api, "jiaxing-regulator")
        line = {
            "type": "LineString",
            "coordinates": [list(GEN_AT), [120.50, 30.62], list(m["receiver"]["location"]["coordinates"])],
        }
        body = {
            "pickup_site_id": m["pickup_site_id"],
            "receiver_site_id": m["receiver"]["site_id"],
            "geojson": line,
            "valid_from": str(clock.today()),
        }
        r = await api.post("/api/v1/routes", json=body, headers=reg)
        assert r.status_code == 201, r.text
        route_id = r.json()["id"]
        events = (await api.get(f"/api/v1/manifests/{manifest_id}/events", headers=await token_of(api, GENERATOR))).json()
        handed = [e for e in events if e["type"] == "handed_over"]
        assert len(handed) == 1 and handed[0]["payload"]["from_vehicle_plate"] == "浙F30301"
        assert handed[0]["payload"]["quantity_kg"] == "1990.000"

    await page.goto(f"/m/{manifest_id}")
    await expect(page.locator("#parties-h + dl")).to_contain_text("已交接")
    await expect(page.locator("#manifest-map")).to_have_attribute("data-route", route_id)
    await expect(page.locator(".timeline")).to_contain_text("交接给下一家承运人")
    await shot(page, "h03-manifest-handed-over")
    for c in (gen, drv):
        await c.close()
    assert watch.outside == [], watch.outside
    assert watch.errors == [], watch.errors


async def test_a_regulator_registers_a_route(live_server: LiveServer, browser: Browser) -> None:
    watch = Watch(live_server.url)
    ctx = await new_context(browser, watch)
    page = await ctx.new_page()
    await login(page, "jiaxing-regulator")
    await page.locator("header").get_by_role("link", name="批准路线").click()
    await page.wait_for_url("**/reg/routes")
    await expect(page.locator("#routes-map")).to_have_attribute("data-ready", "true")
    await expect(page.locator(".empty")).to_contain_text("还没有登记批准的路线")
    await page.locator("#r-from").select_option(label="洲泉化纤基地")
    await page.locator("#r-to").select_option(label="桐乡固废处置场")
    line = {"type": "LineString", "coordinates": [[120.4500, 30.6000], [120.5000, 30.6200], [120.5200, 30.6800]]}
    path = ARTIFACTS / "route.geojson"
    path.write_text(json.dumps({"type": "Feature", "properties": {}, "geometry": line}), encoding="utf-8")
    await page.locator("#r-file").set_input_files(str(path))
    await page.locator("#r-note").fill("桐环审〔2026〕3 号")
    await audit(page, "routes")
    await page.get_by_role("button", name="登记路线").click()
    await expect(page.locator("#routes")).to_contain_text("桐环审〔2026〕3 号")
    await expect(page.locator("#routes")).to_contain_text("洲泉化纤基地")
    # A route drawn for another pair is refused, with the reason.
    far = {"type": "LineString", "coordinates": [[121.50, 31.20], [121.60, 31.30]]}
    path.write_text(json.dumps(far), encoding="utf-8")
    await page.locator("#r-from").select_option(label="洲泉化纤基地")
    await page.locator("#r-to").select_option(label="桐乡固废处置场")
    await page.locator("#r-file").set_input_files(str(path))
    await page.get_by_role("button", name="登记路线").click()
    await expect(page.locator("#routes-result")).to_contain_text("别的起讫点")
    await page.get_by_role("button", name="停止使用").click()
    await expect(page.locator("#routes")).not_to_contain_text("长期")
    await shot(page, "h04-routes")
    await ctx.close()
    assert watch.outside == [], watch.outside
    assert [e for e in watch.errors if "status of 4" not in e] == [], watch.errors
