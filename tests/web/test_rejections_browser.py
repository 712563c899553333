"""Rejected waste in a real browser (issue #14's blocker): after a partial acceptance the generator
sends the remainder on to another licensed receiver from the manifest page, and both manifests
link to each other; after a full rejection, redirect is offered beside return."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from playwright.async_api import Browser, expect

from tests.conftest import TEST_SECRET
from tests.web.browser import Watch, audit, login, new_context, shot
from tests.web.conftest import LiveServer
from tests.web.test_e2e import token_of
from waste_tracker import clock
from waste_tracker.scan.tokens import make_token

GEN = "nanhu-chem"
GEN_AT = (120.8120, 30.7190)
OIL_AT = (121.1300, 30.6600)  # 平湖再生油 独山港再生油厂

expect.set_options(timeout=20_000)


async def _delivered(api: httpx.AsyncClient) -> dict[str, Any]:
    """2 t of waste mineral oil from 南湖精细化工 to 平湖再生油 (R9), picked up and dropped off."""
    gen = await token_of(api, GEN)
    sites = (await api.get("/api/v1/sites", headers=gen)).json()
    by_name = {s["name"]: s for s in sites}
    carrier = (await api.get("/api/v1/organisations", headers=gen, params={"role": "carrier", "q": "绿通"})).json()[0]
    body = {
        "generator_site_id": by_name["南湖精细化工一厂"]["id"],
        "carrier_org_id": carrier["id"],
        "receiver_site_id": by_name["独山港再生油厂"]["id"],
        "planned_method_code": "R9",
        "planned_pickup_date": clock.today().isoformat(),
        "emergency_measures": "泄漏时用吸附棉围堵，严禁明火。",
        "emergency_contact": "王工",
        "emergency_phone": "0573-82000000",
        "lines": [
            {
                "waste_code": "900-249-08",
                "physical_form": "liquid",
                "quantity": "2",
                "unit": "t",
                "container_type": "200 L 钢桶",
                "container_count": 10,
            }
        ],
    }
    m = (await api.post("/api/v1/manifests", json=body, headers=gen)).json()
    m = (await api.post(f"/api/v1/manifests/{m['id']}/submit", headers=gen)).json()
    assert m["status"] == "submitted", m
    drv = await token_of(api, "driver-lvtong")
    token = make_token(TEST_SECRET, uuid.UUID(m["id"]), m["number"])
    for action, at in (("pickup", GEN_AT), ("dropoff", OIL_AT)):
        scan = {"token": token, "action": action, "vehicle_plate": "浙FD1001", "lon": at[0], "lat": at[1]}
        r = await api.post("/api/v1/scans", json=scan, headers=drv)
        assert r.status_code == 201, r.text
    return dict(m)


async def _receive(api: httpx.AsyncClient, m: dict[str, Any], decision: str, accepted: str | None) -> None:
    line: dict[str, Any] = {"line_no": 1, "quantity": "2000", "unit": "kg"}
    if accepted is not None:
        line["accepted_quantity"] = accepted
    body = {"decision": decision, "lines": [line], "reason": "含水率超标"}
    r = await api.post(f"/api/v1/manifests/{m['id']}/receive", json=body, headers=await token_of(api, "pinghu-oil"))
    assert r.status_code == 200, r.text


async def test_the_remainder_goes_on_to_another_receiver(live_server: LiveServer, browser: Browser) -> None:
    watch = Watch(live_server.url)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as api:
        m = await _delivered(api)
        await _receive(api, m, "partial", "1200")
    ctx = await new_context(browser, watch)
    page = await ctx.new_page()
    await login(page, GEN)
    await page.goto(f"/m/{m['id']}")
    box = page.locator("#rejected-waste")
    await expect(box).to_contain_text("拒收的剩余部分：800 kg")
    await expect(box.get_by_role("button", name="退回剩余部分")).to_be_visible()
    target = page.locator("#redirect-to")
    await expect(target.locator("option").first).to_contain_text("秀洲危废焚烧厂")
    await expect(target).not_to_contain_text("独山港再生油厂")  # not back to the receiver that refused it
    await audit(page, "manifest with a rejected remainder")
    await shot(page, "x01-remainder-actions")
    await box.get_by_role("button", name="转移到其他接受人").click()
    await page.wait_for_url("**/m/*?created=1")
    child_url = page.url
    await expect(page.locator("#parent-link")).to_contain_text(m["number"])
    await expect(page.locator("#parties-h + dl")).to_contain_text("嘉兴市危险废物焚烧处置有限公司")
    await expect(page.locator(".page-head .badge").first).to_have_text("已提交")
    await page.locator("#parent-link a").click()
    await page.wait_for_url(f"**/m/{m['id']}")
    await expect(page.locator("#child-link")).to_contain_text("被拒收的废物已改由新联单转移")
    await expect(page.locator("#rejected-waste")).to_have_count(0)  # decided: no more actions on it
    assert child_url.split("/m/")[1].split("?")[0] in (await page.locator("#child-link a").get_attribute("href") or "")
    await ctx.close()
    assert watch.outside == [], watch.outside
    assert watch.errors == [], watch.errors


async def test_a_full_rejection_may_be_redirected(live_server: LiveServer, browser: Browser) -> None:
    watch = Watch(live_server.url)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as api:
        m = await _delivered(api)
        await _receive(api, m, "rejected", None)
    ctx = await new_context(browser, watch)
    page = await ctx.new_page()
    await login(page, GEN)
    await page.goto(f"/m/{m['id']}")
    box = page.locator("#rejected-waste")
    await expect(box).to_contain_text("整批被拒收：2.000 t")
    await expect(box.get_by_role("button", name="要求退回")).to_be_visible()
    await box.get_by_role("button", name="转移到其他接受人").click()
    await page.wait_for_url("**/m/*?created=1")
    await expect(page.locator("#parent-link")).to_contain_text(m["number"])
    await page.goto(f"/m/{m['id']}")
    await expect(page.locator(".page-head .badge").first).to_have_text("已转他处")
    await expect(page.locator("#print-label")).to_have_count(0)  # a closed manifest's label no longer works
    await expect(page.locator("#child-link a")).to_be_visible()
    await shot(page, "x02-rejection-redirected")
    await ctx.close()
    assert watch.outside == [], watch.outside
    assert watch.errors == [], watch.errors


async def test_another_carriers_driver_cannot_confirm(live_server: LiveServer, browser: Browser) -> None:
    """A driver scanning a label of a load its carrier does not carry is told so, and no form is
    offered (it used to ask for a weight, then be refused)."""
    watch = Watch(live_server.url)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as api:
        m = await _delivered(api)
    ctx = await new_context(browser, watch, narrow=True, at=GEN_AT)
    page = await ctx.new_page()
    await login(page, "driver-anda")
    token = make_token(TEST_SECRET, uuid.UUID(m["id"]), m["number"])
    await page.goto(f"/scan?m={m['number']}&t={token}")
    await expect(page.locator("#manifest-info")).to_contain_text("不是贵单位承运的")
    await expect(page.locator("#confirm")).to_be_hidden()
    await expect(page.locator("#weighed")).to_be_hidden()
    await ctx.close()
    assert watch.outside == [], watch.outside


async def test_the_remainder_goes_back_and_the_driver_sees_a_return_trip(live_server: LiveServer, browser: Browser) -> None:
    """The return manifest says where the load is taken from (the receiver that refused it), where it
    goes back to, and no disposal method or 0 km; the driver's job card and scanner read the other way."""
    watch = Watch(live_server.url)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as api:
        m = await _delivered(api)
        await _receive(api, m, "partial", "1200")
    ctx = await new_context(browser, watch)
    page = await ctx.new_page()
    await login(page, GEN)
    await page.goto(f"/m/{m['id']}")
    await page.locator("#rejected-waste").get_by_role("button", name="退回剩余部分").click()
    await expect(page.locator("#child-link a")).to_be_visible()
    await page.locator("#child-link a").click()
    await page.wait_for_url("**/m/*")
    child_id = page.url.split("/m/")[1].split("?")[0]
    parties = page.locator("#parties-h + dl")
    await expect(page.locator("#pickup-site")).to_contain_text("独山港再生油厂")
    await expect(parties).to_contain_text("退回至（移出人）")
    await expect(parties).to_contain_text("退回移出人，不在此利用处置")
    await expect(parties).not_to_contain_text("0.0 km")
    await expect(parties).not_to_contain_text("R9")
    await expect(page.locator("#parent-link")).to_contain_text(m["number"])
    await expect(page.locator("main")).not_to_contain_text("parent")
    await audit(page, "return manifest")
    await shot(page, "x03-remainder-return")
    await ctx.close()

    phone = await new_context(browser, watch, narrow=True, at=OIL_AT)
    dp = await phone.new_page()
    await login(dp, "driver-lvtong")
    card = dp.locator(".tasks li", has=dp.locator(f"a[href='/m/{child_id}']"))
    await expect(card).to_contain_text("退货")
    await expect(card.locator("div.small").nth(1)).to_contain_text("从 平湖")
    await expect(card).to_contain_text("独山港再生油厂")
    number = (await card.locator("a.mono").inner_text()).strip()
    token = make_token(TEST_SECRET, uuid.UUID(child_id), number)
    await dp.goto(f"/scan?m={number}&t={token}")
    info = dp.locator("#manifest-info")
    await expect(info).to_contain_text("退货运输")
    await expect(info.locator("p", has_text="从：")).to_contain_text("独山港再生油厂")
    await expect(dp.locator("#pickup-label")).to_have_text("提货（在拒收的接受人处）")
    await shot(dp, "x04-driver-return-trip")
    await phone.close()
    assert watch.outside == [], watch.outside
    assert watch.errors == [], watch.errors
