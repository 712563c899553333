"""Notifications in a real browser (issue #14): a generator submits a manifest to a receiver; the
receiver's bell (reached with the keyboard) shows one unread; the page lists it, highlighted;
"全部标为已读" clears the count; opening a new one marks it read."""

from __future__ import annotations

import httpx
from playwright.async_api import Browser, expect

from tests.web.browser import Watch, audit, login, new_context, shot, tab_to
from tests.web.conftest import LiveServer
from tests.web.test_e2e import DRIVER, GENERATOR, RECEIVER, submit_a_load, token_of

expect.set_options(timeout=20_000)


async def test_the_receivers_bell(live_server: LiveServer, browser: Browser) -> None:
    watch = Watch(live_server.url)
    ctx = await new_context(browser, watch)
    page = await ctx.new_page()
    await login(page, RECEIVER)
    bell = page.locator("#wt-bell")
    count = page.locator("#wt-bell-count")
    await expect(bell).to_have_attribute("aria-label", "通知：没有未读")  # the demo sends it nothing
    await expect(count).to_be_hidden()

    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as api:
        m = await submit_a_load(api)
        # The carrier's driver has a load to carry; the generator, who did it, nothing.
        drv = (await api.get("/api/v1/notifications", headers=await token_of(api, DRIVER))).json()
        assert [(n["kind"], n["manifest_id"]) for n in drv["items"]] == [("manifest_to_carry", m["id"])]
        gen = (await api.get("/api/v1/notifications", headers=await token_of(api, GENERATOR))).json()
        assert gen == {"items": [], "unread": 0}

    await page.reload()
    await expect(count).to_have_text("1")
    await expect(bell).to_have_attribute("aria-label", "通知：1 条未读")
    await tab_to(page, "#wt-bell")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/notifications")
    items = page.locator("#notifications > li")
    await expect(items).to_have_count(1)
    item = items.first
    await expect(item).to_have_class("nt-item unread")
    await expect(item).to_contain_text("未读")
    await expect(item).to_contain_text("发往本单位")
    await expect(item.get_by_role("link", name=m["number"])).to_have_attribute("href", f"/m/{m['id']}")
    await expect(item).to_contain_text("桐乡")
    await expect(page.locator("#nt-summary")).to_have_text("未读 1 条")
    await audit(page, "notifications")
    await shot(page, "n01-notifications-unread")

    await page.get_by_role("button", name="全部标为已读").click()
    await expect(page.locator("#nt-summary")).to_have_text("已全部标为已读。")
    await expect(count).to_be_hidden()
    await expect(bell).to_have_attribute("aria-label", "通知：没有未读")
    await expect(item).to_have_class("nt-item")
    await audit(page, "notifications, all read")
    await page.reload()
    await expect(page.locator("#nt-summary")).to_have_text("未读 0 条")
    await expect(page.locator("#notifications > li.unread")).to_have_count(0)
    await expect(page.get_by_role("button", name="全部标为已读")).to_have_count(0)

    # A second load: opening it from the list marks it read.
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as api:
        m2 = await submit_a_load(api)
    await page.reload()
    await expect(count).to_have_text("1")
    await page.locator("#notifications > li.unread").get_by_role("link", name=m2["number"]).click()
    await page.wait_for_url(f"**/m/{m2['id']}")
    await expect(count).to_be_hidden()
    await expect(bell).to_have_attribute("aria-label", "通知：没有未读")

    # In English, at 360 px.
    narrow = await new_context(browser, watch, narrow=True)
    np = await narrow.new_page()
    await login(np, RECEIVER)
    await np.goto("/notifications?lang=en")
    await expect(np.locator("h1")).to_have_text("Notifications")
    await expect(np.locator("#notifications > li").first).to_contain_text("submitted manifest " + m2["number"])
    await audit(np, "notifications at 360 px (en)")
    await shot(np, "n02-notifications-narrow-en")
    for c in (ctx, narrow):
        await c.close()
    assert watch.outside == [], watch.outside
    assert watch.errors == [], watch.errors
