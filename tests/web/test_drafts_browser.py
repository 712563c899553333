"""Drafts and repeats in a real browser (issue #14): a saved draft opens in the form with its
values and is saved in place; any manifest can be copied as a new one."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Browser, expect

from tests.web.browser import Watch, audit, login, new_context, shot
from tests.web.conftest import LiveServer
from tests.web.test_e2e import GENERATOR, submit_a_load, token_of

expect.set_options(timeout=20_000)


async def test_edit_a_draft_and_copy_a_manifest(live_server: LiveServer, browser: Browser) -> None:
    watch = Watch(live_server.url)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as api:
        m = await submit_a_load(api)  # 2 t of SW17 to 桐乡固废处置场, submitted
        gen = await token_of(api, GENERATOR)
        body = {
            k: m[k]
            for k in ("planned_method_code", "planned_pickup_date", "emergency_measures", "emergency_contact", "emergency_phone")
        }
        body |= {
            "generator_site_id": m["generator"]["site_id"],
            "carrier_org_id": m["carrier"]["organisation_id"],
            "receiver_site_id": m["receiver"]["site_id"],
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
            "notes": "第二车",
        }
        r = await api.post("/api/v1/manifests", json=body, headers=gen)
        assert r.status_code == 201, r.text
        draft = r.json()
    ctx = await new_context(browser, watch)
    page = await ctx.new_page()
    await login(page, GENERATOR)
    await page.goto(f"/m/{draft['id']}")
    await page.get_by_role("link", name="修改草稿").click()
    await page.wait_for_url(f"**/manifests/new?draft={draft['id']}")
    await expect(page.locator("h1")).to_have_text("修改联单草稿")
    await expect(page.locator("#l1-code")).to_have_value("SW17")
    await expect(page.locator("[data-desc]").first).to_contain_text("可再生类废物")
    await expect(page.locator(f"input[name=receiver_site_id][value='{draft['receiver']['site_id']}']")).to_be_checked()
    await expect(page.locator("#planned_method_code")).to_have_value("R15")
    await expect(page.locator("#notes")).to_have_value("第二车")
    await page.locator("#l1-qty").fill("1500")
    await audit(page, "edit a draft")
    await page.get_by_role("button", name="保存草稿").click()
    await page.wait_for_url(f"**/m/{draft['id']}")  # saved in place, not a second draft
    await expect(page.locator(".totals")).to_contain_text("1.500 t")
    await shot(page, "d01-draft-edited")

    await page.goto(f"/m/{m['id']}")
    await page.get_by_role("link", name="复制为新联单").click()
    await page.wait_for_url(f"**/manifests/new?from={m['id']}")
    await expect(page.locator("#copied-from")).to_contain_text(m["number"])
    await expect(page.locator("#l1-qty")).to_have_value("2000")
    await expect(page.locator(f"input[name=receiver_site_id][value='{m['receiver']['site_id']}']")).to_be_checked()
    await page.locator("#submit-manifest").click()
    await page.wait_for_url(re.compile(r"/m/[0-9a-f-]{36}\?created=1$"))
    assert m["id"] not in page.url
    await expect(page.locator(".page-head .badge").first).to_have_text("已提交")
    await ctx.close()
    assert watch.outside == [], watch.outside
    assert watch.errors == [], watch.errors


async def test_a_receiver_sees_announced_loads(live_server: LiveServer, browser: Browser) -> None:
    """Submitted manifests addressed to a receiver show before pickup, with their total."""
    watch = Watch(live_server.url)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as api:
        m = await submit_a_load(api)
    ctx = await new_context(browser, watch)
    page = await ctx.new_page()
    await login(page, "tongxiang-solidwaste")
    section = page.locator("section", has=page.locator("#h-announced"))
    await expect(section).to_contain_text(m["number"])
    await expect(page.locator("#announced-total")).to_contain_text("合计 2.000 t")
    # The list's search takes any part of the number: here its last six digits (the serial).
    await page.goto(f"/manifests?number={m['number'][-6:]}")
    await expect(page.locator("main")).to_contain_text(m["number"])
    got = await page.request.get(await page.locator("#exports a", has_text="Excel").get_attribute("href") or "")
    assert got.status == 200 and got.headers["content-type"].startswith("application/vnd.openxmlformats")
    await page.goto("/r")
    way = page.locator("section", has=page.locator("#h-way"))
    await expect(way).not_to_contain_text(m["number"])  # not on the road yet
    await audit(page, "receiver with announced loads")
    await ctx.close()
    assert watch.outside == [], watch.outside
