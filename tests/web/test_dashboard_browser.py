"""The manifest list as a dashboard in a real browser (issue #14): tabs with their counts, "待处理"
listing exactly the manifests whose page offers the reader a step, one search box finding a
manifest by a company's name; the generator and the city regulator, at desktop and phone widths."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import httpx
from playwright.async_api import Browser, Page, expect

from tests.conftest import TEST_SECRET
from tests.web.browser import Watch, audit, login, new_context, shot
from tests.web.conftest import LiveServer
from tests.web.test_e2e import DRIVER, GEN_AT, GENERATOR, RCV_AT, RECEIVER, submit_a_load, token_of
from waste_tracker import clock
from waste_tracker.scan.tokens import make_token

expect.set_options(timeout=20_000)

REGULATOR = "jiaxing-regulator"
RECEIVER_NAME = "桐乡一般工业固废处置有限公司"


async def _scan(api: httpx.AsyncClient, m: dict[str, Any], action: str, at: tuple[float, float], before: int = 0) -> None:
    body = {
        "token": make_token(TEST_SECRET, uuid.UUID(m["id"]), m["number"]),
        "action": action,
        "lon": at[0],
        "lat": at[1],
        "vehicle_plate": "浙F30301",
        "device_time": clock.local(clock.now() - timedelta(minutes=before)).isoformat(),
    }
    r = await api.post("/api/v1/scans", json=body, headers=await token_of(api, DRIVER))
    assert r.status_code == 201, r.text


async def four_manifests(api: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    """Through the API: a draft, one submitted (waiting on the carrier), one rejected at the
    receiver (waiting on the generator), one cancelled."""
    gen = await token_of(api, GENERATOR)
    waiting = await submit_a_load(api)
    rejected = await submit_a_load(api)
    await _scan(api, rejected, "pickup", GEN_AT, before=90)
    await _scan(api, rejected, "dropoff", RCV_AT)
    r = await api.post(
        f"/api/v1/manifests/{rejected['id']}/receive",
        json={"decision": "rejected", "lines": [{"line_no": 1, "quantity": "2000", "unit": "kg"}], "reason": "含水率过高"},
        headers=await token_of(api, RECEIVER),
    )
    assert r.status_code == 200 and r.json()["status"] == "rejected", r.text
    cancelled = await submit_a_load(api)
    r = await api.post(f"/api/v1/manifests/{cancelled['id']}/cancel", json={"reason": "计划变更"}, headers=gen)
    assert r.status_code == 200, r.text
    body = {k: waiting[k] for k in ("planned_method_code", "planned_pickup_date", "emergency_measures", "emergency_contact")}
    body |= {
        "emergency_phone": waiting["emergency_phone"],
        "generator_site_id": waiting["generator"]["site_id"],
        "carrier_org_id": waiting["carrier"]["organisation_id"],
        "receiver_site_id": waiting["receiver"]["site_id"],
        "lines": [
            {
                "waste_code": "SW17",
                "physical_form": "solid",
                "quantity": "1",
                "unit": "t",
                "container_type": "吨袋",
                "container_count": 1,
            }
        ],
    }
    r = await api.post("/api/v1/manifests", json=body, headers=gen)
    assert r.status_code == 201, r.text
    return {"waiting": waiting, "rejected": rejected, "cancelled": cancelled, "draft": r.json()}


async def counts(page: Page) -> dict[str, int]:
    out: dict[str, int] = {}
    for link in await page.locator("#tabs a").all():
        key = (await link.get_attribute("id") or "").removeprefix("tab-")
        out[key] = int(await link.locator(".count").inner_text())
    return out


async def listed(page: Page) -> set[str]:
    return {(await a.inner_text()).strip() for a in await page.locator("table.data tbody tr td:first-child a").all()}


async def test_the_generator_and_the_regulator_use_their_tabs(live_server: LiveServer, browser: Browser) -> None:
    watch = Watch(live_server.url)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as api:
        ms = await four_manifests(api)
        gen = await token_of(api, GENERATOR)
        # The generator's steps, as the manifest API gives them (its side's actions, cancelling aside).
        steps = {}
        for name, m in ms.items():
            got = (await api.get(f"/api/v1/manifests/{m['id']}", headers=gen)).json()
            steps[name] = set(got["allowed_actions"]) & {"return", "redirect"} if got["status"] != "draft" else set()
    with_steps = {ms[n]["number"] for n, s in steps.items() if s}
    assert with_steps == {ms["rejected"]["number"]}

    ctx = await new_context(browser, watch)
    page = await ctx.new_page()
    await login(page, GENERATOR)
    assert page.url.endswith("/manifests")
    await expect(page.locator("#tab-all")).to_have_attribute("aria-current", "page")
    assert await counts(page) == {"all": 4, "drafts": 1, "act": 1, "follow": 1, "archive": 1}
    await audit(page, "generator dashboard")
    await shot(page, "dash-01-generator-all")

    await page.locator("#tab-act").click()
    await page.wait_for_url(re.compile(r"/manifests\?tab=act$"))
    await expect(page.locator("#tab-act")).to_have_attribute("aria-current", "page")
    await expect(page.locator("#tab-help")).to_contain_text("等待您这一方办理下一步")
    assert await listed(page) == with_steps
    await shot(page, "dash-02-generator-to-act-on")
    await page.get_by_role("link", name=ms["rejected"]["number"]).click()
    await expect(page.locator("#rejected-waste")).to_be_visible()  # the step the tab promised

    await page.goto("/manifests")
    await page.locator("#tab-follow").click()
    assert await listed(page) == {ms["waiting"]["number"]}
    await page.locator("#tab-archive").click()
    assert await listed(page) == {ms["cancelled"]["number"]}
    await page.locator("#tab-drafts").click()
    await expect(page.locator("table.data tbody tr")).to_have_count(1)

    # One box: a company's name (here the receiver's, as submitted) within the tab in force.
    await page.locator("#tab-all").click()
    await page.get_by_label("搜索：联单编号、单位名称、车牌号或废物代码").fill("一般工业固废处置")
    await page.locator("form.filters button[type=submit]").click()
    await page.wait_for_url(re.compile(r"q=%E4%B8%80%E8%88%AC"))
    assert {n for n in await listed(page) if n.isdigit()} == {ms[n]["number"] for n in ("waiting", "rejected", "cancelled")}
    assert await counts(page) == {"all": 4, "drafts": 1, "act": 1, "follow": 1, "archive": 1}  # the draft names it too
    await page.locator("#f-q").fill("没有这个单位")
    await page.locator("form.filters button[type=submit]").click()
    await expect(page.locator("main .empty")).to_be_visible()
    assert (await counts(page))["all"] == 0
    xlsx = await page.locator("#exports a", has_text="Excel").get_attribute("href")
    assert xlsx and "q=" in xlsx
    await ctx.close()

    narrow = await new_context(browser, watch, narrow=True)
    page = await narrow.new_page()
    await login(page, GENERATOR)
    await page.goto("/manifests?tab=act")
    await audit(page, "generator dashboard, 360 px")
    await shot(page, "dash-03-generator-narrow")
    await narrow.close()

    # The city regulator: no drafts (never seen), nothing to act on (it acts on alerts), and its
    # own filters: a county of its city and a company on any side.
    ctx = await new_context(browser, watch)
    page = await ctx.new_page()
    await login(page, REGULATOR)
    await page.goto("/manifests")
    assert await counts(page) == {"all": 3, "act": 0, "follow": 2, "archive": 1}
    await expect(page.locator("#tab-drafts")).to_have_count(0)
    await audit(page, "regulator dashboard")
    await page.locator("#tab-act").click()
    assert await listed(page) == set()
    await expect(page.locator("#act-none")).to_contain_text("监管部门处理预警")
    await expect(page.locator("#act-none a")).to_have_attribute("href", "/reg/alerts")
    await shot(page, "dash-04-regulator-to-act-on")
    await page.locator("#tab-follow").click()
    assert await listed(page) == {ms["waiting"]["number"], ms["rejected"]["number"]}
    await page.locator("#f-q").fill("桐乡化纤")
    await page.get_by_label("区县").select_option(label="桐乡市")
    await page.get_by_label("单位（任一方）").fill(RECEIVER_NAME[2:8])
    await page.locator("form.filters button[type=submit]").click()
    await page.wait_for_url(re.compile(r"tab=follow"))
    assert await listed(page) == {ms["waiting"]["number"], ms["rejected"]["number"]}
    assert await counts(page) == {"all": 3, "act": 0, "follow": 2, "archive": 1}
    await expect(page.locator("#f-county")).to_have_value("330483")
    await audit(page, "regulator dashboard, searched")
    await shot(page, "dash-05-regulator-searched")
    await page.get_by_label("区县").select_option(label="海宁市")
    await page.locator("form.filters button[type=submit]").click()
    assert await listed(page) == set() and (await counts(page))["all"] == 0
    await ctx.close()

    narrow = await new_context(browser, watch, narrow=True)
    page = await narrow.new_page()
    await login(page, REGULATOR)
    await page.goto("/manifests?tab=follow")
    await audit(page, "regulator dashboard, 360 px")
    await shot(page, "dash-06-regulator-narrow")
    await narrow.close()
    assert watch.outside == [], watch.outside
    assert watch.errors == [], watch.errors
