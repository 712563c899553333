"""End to end in a real browser (Debian's headless Chromium) against a real server:

1. a generator files and submits a manifest (codes searched as you type, receivers by distance
   with the jurisdiction rule), and prints the label, whose QR really decodes to the scan URL;
2. a driver on a 360 px phone at the generator's site picks the load up by decoding the label
   photo in the page (jsQR), then drops it off at the receiver's coordinates — first offline
   (queued), then with a lost response (replayed with the same Idempotency-Key: one drop-off);
3. the receiver weighs, accepts and records disposal;
4. a second load is dropped off in another county, scanned with the (fake) camera: the driver sees
   the geofence warning, then a refused scan at the wrong moment; the regulator finds the alert it planted, sees it on the
   map and resolves it; flows and KPI pages show both loads.

Screenshots of each main page go to test-artifacts/web/.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import zxingcpp
from PIL import Image
from playwright.async_api import Browser, BrowserContext, Page, Route, expect

from tests.conftest import TEST_SECRET
from tests.web.browser import PASSWORD, Watch, audit, login, new_context, shot, tab_to, write_camera_video
from tests.web.conftest import ARTIFACTS, LiveServer
from waste_tracker import clock
from waste_tracker.scan.tokens import make_token, scan_url

GENERATOR = "tongxiang-fibre"  # 桐乡化纤, 桐乡市
GEN_AT = (120.4500, 30.6000)  # its site 洲泉化纤基地
RECEIVER = "tongxiang-solidwaste"  # 桐乡一般工业固废处置有限公司, 桐乡市
RCV_AT = (120.5200, 30.6800)
ELSEWHERE = (120.6300, 30.5300)  # 海宁市: another county
DRIVER = "driver-tongda"
CARRIER_NAME = "桐乡通达固废运输有限公司"

expect.set_options(timeout=15_000)


async def token_of(api: httpx.AsyncClient, username: str) -> dict[str, str]:
    r = await api.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def decode_label(path: Path) -> str:
    found = zxingcpp.read_barcodes(Image.open(path))
    assert len(found) == 1, found
    return found[0].text


async def label_png(ctx: BrowserContext, manifest_id: str, number: str) -> Path:
    r = await ctx.request.get(f"/api/v1/manifests/{manifest_id}/label.png")
    assert r.ok, await r.text()
    path = ARTIFACTS / f"label-{number}.png"
    path.write_bytes(await r.body())
    return path


async def events_of(api: httpx.AsyncClient, auth: dict[str, str], manifest_id: str) -> list[str]:
    r = await api.get(f"/api/v1/manifests/{manifest_id}/events", headers=auth)
    return [e["type"] for e in r.json()]


async def generator_files_a_manifest(ctx: BrowserContext, base: str) -> tuple[str, str, Path]:
    page = await ctx.new_page()
    await login(page, GENERATOR)
    assert page.url.endswith("/manifests")
    await shot(page, "01-generator-manifests")
    await audit(page, "generator manifests")
    await page.locator("main").get_by_role("link", name="新建联单").click()
    await page.wait_for_url("**/manifests/new")

    code = page.locator("#l1-code")
    await code.fill("SW17")
    await expect(page.locator("#l1-codes [role=option]").first).to_contain_text("SW17")
    await code.press("ArrowDown")
    await code.press("Enter")  # chosen with the keyboard
    await expect(page.locator("[data-desc]").first).to_contain_text("可再生类废物")
    await page.locator("#l1-qty").fill("8")
    rows = page.locator(".cand-row")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_contain_text("桐乡一般工业固废处置有限公司")
    await expect(rows.nth(0)).to_contain_text("允许")
    await expect(rows.nth(0)).to_contain_text("不出县")
    await expect(rows.nth(0).locator("input")).to_be_checked()
    await expect(rows.nth(1)).to_contain_text("嘉善一般工业固废综合利用有限公司")
    await expect(rows.nth(1)).to_contain_text("需豁免")
    await expect(rows.nth(1).locator("input")).to_be_disabled()
    await expect(page.locator("#rule-kind")).to_contain_text("一般工业固废")
    await page.locator("#planned_method_code").select_option("R15")
    await page.locator("#carrier_org_id").select_option(label=CARRIER_NAME)
    await tab_to(page, "#submit-manifest")
    await audit(page, "new manifest")
    await shot(page, "02-generator-new-manifest")
    await page.keyboard.press("Enter")  # submit from the keyboard

    await page.wait_for_url(re.compile(r"/m/[0-9a-f-]{36}\?created=1$"))
    manifest_id = re.search(r"/m/([0-9a-f-]{36})", page.url).group(1)  # type: ignore[union-attr]
    number = (await page.locator("h1 .mono").inner_text()).strip()
    assert re.fullmatch(r"2\d{3}3304\d{6}", number), number
    await expect(page.locator(".page-head .badge").first).to_have_text("已提交")
    await expect(page.locator(".timeline")).to_contain_text("提交联单")
    await audit(page, "manifest (generator)")
    await shot(page, "03-generator-manifest-submitted")

    await page.get_by_role("link", name="打印二维码标签").click()
    await page.wait_for_url(f"**/m/{manifest_id}/label")
    await expect(page.locator(".qr svg")).to_be_visible()
    await expect(page.get_by_role("button", name="打印标签")).to_be_visible()
    await expect(page.locator(".number")).to_have_text(number)
    await audit(page, "label")
    await shot(page, "04-generator-label")

    png = await label_png(ctx, manifest_id, number)
    expected = scan_url(base, number, make_token(TEST_SECRET, uuid.UUID(manifest_id), number))
    assert decode_label(png) == expected
    assert (await page.locator(".scan-url").inner_text()).strip() == expected
    await page.close()
    return manifest_id, number, png


async def driver_picks_up_and_drops_off(ctx: BrowserContext, number: str, png: Path) -> Page:
    page = await ctx.new_page()
    await login(page, DRIVER)
    assert page.url.endswith("/d")
    await expect(page.locator(".tasks")).to_contain_text(number)
    await audit(page, "driver home")
    await shot(page, "05-driver-home")

    await page.locator("main").get_by_role("link", name="扫码交接").click()
    await page.wait_for_url("**/scan")
    await expect(page.locator("#gps-state")).to_contain_text(f"已定位（精度约 12 米） {GEN_AT[0]:.5f}")
    await audit(page, "scan")
    await page.locator("#photo").set_input_files(str(png))  # decoded in the page by the vendored jsQR
    info = page.locator("#manifest-info")
    await expect(page.locator("#step-confirm")).to_be_visible()
    await expect(info).to_contain_text(number)
    await expect(info).to_contain_text("桐乡化纤股份有限公司")
    await expect(page.locator("input[name=action][value=pickup]")).to_be_checked()
    await expect(page.locator("#weighed")).to_have_value("8000")
    await expect(page.locator("#vehicle")).to_have_value("浙F30301")
    await audit(page, "scan confirm")
    await shot(page, "06-driver-confirm-pickup")
    await page.locator("#confirm").click()
    result = page.locator("#result")
    await expect(result).to_contain_text("提货成功")
    await expect(result).not_to_contain_text("但是")  # at the site: no geofence warning

    # Drop-off at the receiver, with no connection: the scan is queued on the phone.
    await ctx.set_geolocation({"longitude": RCV_AT[0], "latitude": RCV_AT[1], "accuracy": 10})
    await expect(page.locator("#gps-state")).to_contain_text(f"{RCV_AT[0]:.5f}")
    await ctx.set_offline(True)
    await page.locator("#photo").set_input_files(str(png))
    await expect(page.locator("input[name=action][value=dropoff]")).to_be_checked()  # known from the pickup
    await page.locator("#confirm").click()
    await expect(result).to_contain_text("网络中断")
    await expect(page.locator("#queue-list li")).to_have_count(1)
    await expect(page.locator("#net-state")).to_contain_text("离线")
    await shot(page, "07-driver-offline-queued")
    return page


async def back_online_with_a_lost_response(ctx: BrowserContext, page: Page) -> list[int]:
    """The first send after reconnecting reaches the server but its answer is lost; the retry with
    the same Idempotency-Key gets the stored answer and records nothing twice."""
    lost: list[int] = []

    async def lose_first_answer(route: Route) -> None:
        if lost:
            await route.continue_()
            return
        response = await route.fetch()
        lost.append(response.status)
        await route.abort("connectionreset")

    await page.route("**/api/v1/scans", lose_first_answer)
    await ctx.set_offline(False)  # the 'online' event sends the queue
    result = page.locator("#result")
    for _ in range(40):
        if lost:
            break
        await asyncio.sleep(0.25)
    if not lost:
        await page.locator("#queue-retry").click()
    await expect(page.locator("#queue-list li")).to_have_count(1)  # still queued: no answer came back
    for _ in range(10):
        if "卸货成功" in (await result.inner_text()):
            break
        retry = page.locator("#queue-retry")
        if await retry.is_visible():
            await retry.click()
        await asyncio.sleep(0.5)
    await expect(result).to_contain_text("卸货成功")
    await expect(page.locator("#queue-box")).to_be_hidden()
    return lost


async def receiver_receives_and_disposes(ctx: BrowserContext, number: str) -> None:
    page = await ctx.new_page()
    await login(page, RECEIVER)
    assert page.url.endswith("/r")
    section = page.locator("section", has=page.locator("#h-receive"))
    await expect(section).to_contain_text(number)
    await audit(page, "receiver incoming")
    await shot(page, "08-receiver-incoming")
    await section.get_by_role("link", name=number).click()
    form = page.locator("#receive-form")
    await expect(form).to_be_visible()
    await expect(page.locator("#rq-1")).to_have_value("8000")
    await page.locator("#rq-1").fill("7985")
    await audit(page, "receive form")
    await shot(page, "09-receiver-receive")
    await form.get_by_label("拒收", exact=True).check()
    await expect(form.get_by_role("button", name="确认拒收")).to_be_visible()  # the button says what it records
    await form.get_by_label("全部接收", exact=True).check()
    await form.get_by_role("button", name="确认接收").click()
    await expect(page.locator(".page-head .badge").first).to_have_text("已接收")
    await expect(page.locator("#done-notice")).to_have_text("已记录接收结果。")
    dispose = page.locator("#dispose-form")
    await expect(page.locator("#dispose-method")).to_have_value("R15")
    await expect(page.locator("#dispose-qty")).to_have_value("7985")
    await dispose.get_by_role("button", name="记录处置").click()
    await expect(page.locator(".page-head .badge").first).to_have_text("已处置完成")
    await expect(page.locator("#done-notice")).to_contain_text("联单办结")
    await expect(page.locator(".timeline")).to_contain_text("利用/处置")
    await expect(page.locator(".chain")).to_contain_text("记录完整")
    await audit(page, "manifest completed")
    await shot(page, "10-receiver-completed")
    await page.close()


async def submit_a_load(api: httpx.AsyncClient) -> dict[str, Any]:
    """Through the API: 2 t of SW17 from 桐乡化纤 to 桐乡固废处置场, carried by 通达, submitted."""
    gen = await token_of(api, GENERATOR)
    site = (await api.get("/api/v1/sites", headers=gen, params={"county": 330483})).json()
    gen_site = next(s for s in site if s["name"] == "洲泉化纤基地")
    rcv_site = next(s for s in site if s["name"] == "桐乡固废处置场")
    carrier = (await api.get("/api/v1/organisations", headers=gen, params={"role": "carrier", "q": "通达"})).json()[0]
    body = {
        "generator_site_id": gen_site["id"],
        "carrier_org_id": carrier["id"],
        "receiver_site_id": rcv_site["id"],
        "planned_method_code": "R15",
        "planned_pickup_date": clock.today().isoformat(),
        "emergency_measures": "泄漏时收集，严禁明火。",
        "emergency_contact": "张工",
        "emergency_phone": "0573-88888888",
        "lines": [
            {
                "waste_code": "SW17",
                "physical_form": "solid",
                "quantity": "2",
                "unit": "t",
                "container_type": "吨袋",
                "container_count": 2,
            }
        ],
    }
    m = (await api.post("/api/v1/manifests", json=body, headers=gen)).json()
    m = (await api.post(f"/api/v1/manifests/{m['id']}/submit", headers=gen)).json()
    assert m["status"] == "submitted", m
    return dict(m)


async def plant_a_second_load(api: httpx.AsyncClient, ctx_gen: BrowserContext) -> tuple[str, str, Path]:
    """Through the API: a second manifest, submitted and picked up at the generator's site."""
    m = await submit_a_load(api)
    drv = await token_of(api, DRIVER)
    scan = {
        "token": make_token(TEST_SECRET, uuid.UUID(m["id"]), m["number"]),
        "action": "pickup",
        "lon": GEN_AT[0],
        "lat": GEN_AT[1],
        "vehicle_plate": "浙F30301",
        "quantity_kg": "2000",
    }
    r = await api.post("/api/v1/scans", json=scan, headers=drv)
    assert r.status_code == 201, r.text
    return m["id"], m["number"], await label_png(ctx_gen, m["id"], m["number"])


async def driver_drops_off_elsewhere(ctx: BrowserContext, page: Page, png: Path) -> None:
    """This time through the camera: Chromium's fake camera plays a clip of the label."""
    await ctx.set_geolocation({"longitude": ELSEWHERE[0], "latitude": ELSEWHERE[1], "accuracy": 10})
    await page.goto("/scan")
    await expect(page.locator("#gps-state")).to_contain_text(f"{ELSEWHERE[0]:.5f}")
    write_camera_video(png)
    await page.get_by_role("button", name="打开摄像头扫码").click()
    await expect(page.locator("#step-confirm")).to_be_visible()  # decoded from video frames (jsQR)
    await expect(page.locator("#camera-box")).to_be_hidden()  # and the camera is released
    await expect(page.locator("input[name=action][value=dropoff]")).to_be_checked()
    await page.locator("#confirm").click()
    result = page.locator("#result")
    await expect(result).to_contain_text("卸货成功")
    await expect(result).to_contain_text("扫码位置不在应到场所范围内")  # outside the site: said clearly
    await expect(result).to_contain_text("km")
    await shot(page, "11-driver-dropoff-outside")
    # The same label again, asking for a pickup now: the wrong moment, refused with the reason.
    await page.locator("#photo").set_input_files(str(png))
    await expect(page.locator("#manifest-info")).to_contain_text("现在不能提货或卸货")  # warned before trying
    await page.locator("input[name=action][value=pickup]").check()
    await page.locator("#confirm").click()
    await expect(result).to_contain_text("扫码未被接受")
    await expect(result).to_contain_text("已送达")
    await shot(page, "12-driver-wrong-moment")


async def regulator_resolves_the_alert(ctx: BrowserContext, number: str) -> None:
    page = await ctx.new_page()
    await login(page, "jiaxing-regulator")
    assert page.url.endswith("/reg/alerts")
    assert int(await page.locator("#count-critical").inner_text()) >= 1
    await audit(page, "alert queue")
    await shot(page, "13-regulator-alerts")
    await page.locator("#f-rule").select_option("solid_waste_left_county")
    await page.get_by_role("button", name="应用").click()
    row = page.locator("#alert-table tbody tr", has_text=number)
    await expect(row).to_have_count(1)
    await expect(row.locator(".badge")).to_have_text("严重")
    await row.get_by_role("link").click()
    await page.wait_for_url(re.compile(r"/reg/alerts/\d+$"))
    await expect(page.locator("#alert-map")).to_have_attribute("data-ready", "true")
    await expect(page.locator('#alert-map path[fill="#b00020"]').first).to_be_visible()  # a scan marker
    await expect(page.locator("#alert-map")).to_contain_text("海宁市")  # the county the load went to
    await expect(page.locator("#alert-map")).to_contain_text("桐乡市")
    # Sites named on the map, a scale (no street map to judge distance by), every county labelled.
    await expect(page.locator("#alert-map .map-label.site", has_text="洲泉化纤基地")).to_be_visible()
    await expect(page.locator("#alert-map .leaflet-control-scale")).to_be_visible()
    await expect(page.locator("#alert-map")).to_contain_text("嘉善县")  # not involved, still named
    # The generator's ring is not covered by the pickup scan made at the same spot.
    ring = await page.locator("#alert-map path.site-generator").bounding_box()
    assert ring is not None and ring["width"] >= 24
    # Evidence for people: labelled, units on numbers, no JSON or raw ids.
    evidence = await page.locator("dl.evidence").inner_text()
    assert "[" not in evidence and "{" not in evidence, evidence
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", evidence), evidence
    en = await page.goto(page.url + "?lang=en")
    assert en is not None and en.ok
    facts = await page.locator("dl.facts").first.inner_text()
    assert "(1 times)" not in facts and ("(once)" in facts or " times)" in facts), facts
    assert "· Tongxiang City" in facts and "· 桐乡市" not in facts, facts  # county names in English (firms keep theirs)
    await expect(page.locator("#alert-map")).to_contain_text("Haining")
    await page.goto(page.url.replace("?lang=en", "?lang=zh-CN"))
    await expect(page.locator(".timeline").last).to_contain_text("扫码卸货")
    await audit(page, "alert detail")
    await shot(page, "14-regulator-alert")
    await tab_to(page, "button[data-alert-act=resolve]")
    await page.locator("#alert-note").fill("已核实：卸货点在海宁市，已责令承运人整改。")
    await page.locator("button[data-alert-act=resolve]").click()
    await expect(page.locator("#alert-status")).to_have_text("已处理")
    await expect(page.locator("ol.timeline").first).to_contain_text("已责令承运人整改")
    await shot(page, "15-regulator-alert-resolved")
    # The manifest behind it: its findings readable (no grey on brown), codes never split.
    await page.locator("dl.facts a[href^='/m/']").first.click()
    await page.wait_for_url(re.compile(r"/m/[0-9a-f-]{36}$"))
    await expect(page.locator(".findings li").first).to_be_visible()
    await audit(page, "manifest with findings (regulator)")
    assert await page.locator(".wcode").first.evaluate("el => getComputedStyle(el).whiteSpace") == "nowrap"
    timeline_text = await page.locator(".timeline").inner_text()
    assert "桐乡化纤股份有限公司" in timeline_text  # the generator's user acted: its name shows, once
    assert not re.search(r"(\S{4,}) · \1(\n|$)", timeline_text), timeline_text

    today = clock.today().isoformat()
    await page.goto(f"/reg/flows?date_from={today}&date_to={today}")
    await expect(page.locator("#flows-map")).to_have_attribute("data-ready", "true")
    await expect(page.locator("#flows-table")).to_contain_text("桐乡市")
    await audit(page, "flows")
    await shot(page, "16-regulator-flows")
    await page.goto(f"/reg/kpis?date_from={today}&date_to={today}")
    tongxiang = page.locator("#kpi-table tbody tr", has_text="桐乡市")
    await expect(tongxiang.locator("td").first).to_have_text("2")
    await expect(tongxiang).to_contain_text("9.985 t")  # received 7.985 t + picked up 2 t
    await expect(page.locator("#kpi-help")).to_contain_text("5 个工作日内作出接收结论（全部接收、部分接收或拒收）")
    await expect(page.locator("#kpi-help")).to_contain_text("已处置吨位 ÷ 已接收（接受）吨位，拒收的部分不计入")
    await audit(page, "kpis")
    await shot(page, "17-regulator-kpis")
    await page.get_by_role("link", name="English").click()
    await expect(page.locator("h1")).to_have_text("County KPIs")
    await shot(page, "18-regulator-kpis-en")
    await page.close()


async def narrow_pages_do_not_break(browser: Browser, watch: Watch, manifest_id: str) -> None:
    """Every main page at 360 px: no horizontal scrolling, labels and contrast still fine."""
    ctx = await new_context(browser, watch, narrow=True)
    page = await ctx.new_page()
    await login(page, "jiaxing-regulator")
    for path in ("/reg/alerts", "/reg/flows", "/reg/kpis", f"/m/{manifest_id}", "/manifests"):
        await page.goto(path)
        await audit(page, f"360px {path}")
    await page.goto("/reg/alerts?status=resolved")
    await page.locator("#alert-table tbody a").first.click()
    await expect(page.locator("#alert-map")).to_have_attribute("data-ready", "true")
    await audit(page, "360px alert detail")
    await shot(page, "19-narrow-alert")
    await ctx.clear_cookies()
    await login(page, GENERATOR)
    await page.goto("/manifests/new")
    await page.locator("#l1-code").fill("900-249")
    await expect(page.locator("#l1-codes [role=option]").first).to_be_visible()
    await audit(page, "360px new manifest")
    await shot(page, "20-narrow-new-manifest")
    await ctx.close()


async def test_generator_driver_receiver_regulator(live_server: LiveServer, browser: Browser) -> None:
    base = live_server.url
    watch = Watch(base)
    gen = await new_context(browser, watch)
    manifest_id, number, png = await generator_files_a_manifest(gen, base)

    drv = await new_context(browser, watch, narrow=True, at=GEN_AT)
    page = await driver_picks_up_and_drops_off(drv, number, png)
    lost = await back_online_with_a_lost_response(drv, page)
    assert lost == [201]
    async with httpx.AsyncClient(base_url=base, timeout=30) as api:
        gen_auth = await token_of(api, GENERATOR)
        assert await events_of(api, gen_auth, manifest_id) == ["created", "submitted", "picked_up", "dropped_off"]
        m = (await api.get(f"/api/v1/manifests/{manifest_id}", headers=gen_auth)).json()
        assert m["status"] == "delivered" and m["findings"] == []
        dropoff = (await api.get(f"/api/v1/manifests/{manifest_id}/events", headers=gen_auth)).json()[-1]
        assert dropoff["location"]["coordinates"] == [RCV_AT[0], RCV_AT[1]]
        await page.unroute("**/api/v1/scans")

        rcv = await new_context(browser, watch)
        await receiver_receives_and_disposes(rcv, number)

        second_id, second_number, second_png = await plant_a_second_load(api, gen)
        await driver_drops_off_elsewhere(drv, page, second_png)
        rules = {
            a["rule_id"]
            for a in (await api.get("/api/v1/alerts", headers=gen_auth, params={"manifest_id": second_id})).json()["items"]
        }
        assert {"solid_waste_left_county", "dropoff_not_at_receiver", "scan_outside_geofence"} <= rules

    reg = await new_context(browser, watch)
    await regulator_resolves_the_alert(reg, second_number)
    await narrow_pages_do_not_break(browser, watch, manifest_id)
    for ctx in (gen, drv, rcv, reg):
        await ctx.close()
    assert watch.outside == [], f"loaded from outside the app: {watch.outside}"
    assert watch.errors == [], watch.errors
