"""A driver without a working camera (issue #14): the label prints a check code beside the
number; typed on the scanner, the two stand for the QR code, and the pickup goes through."""

from __future__ import annotations

import httpx
from playwright.async_api import Browser, expect

from tests.web.browser import Watch, audit, login, new_context, shot
from tests.web.conftest import LiveServer
from tests.web.test_e2e import GEN_AT, GENERATOR, submit_a_load

expect.set_options(timeout=20_000)


async def test_a_pickup_typed_from_the_label(live_server: LiveServer, browser: Browser) -> None:
    watch = Watch(live_server.url)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as api:
        m = await submit_a_load(api)
    gen = await new_context(browser, watch)
    label = await gen.new_page()
    await login(label, GENERATOR)
    await label.goto(f"/m/{m['id']}/label")
    printed_number = (await label.locator(".number").inner_text()).strip()
    printed_code = (await label.locator(".check-code").inner_text()).strip()
    assert printed_number == m["number"] and len(printed_code) == 7  # "ABC-123"

    drv = await new_context(browser, watch, narrow=True, at=GEN_AT)
    page = await drv.new_page()
    await login(page, "driver-tongda")
    await page.goto("/scan")
    await page.get_by_text("无法扫码？手动输入").click()
    await page.locator("#manual-number").fill(printed_number)
    await page.locator("#manual-check").fill(printed_code.replace("-", "").lower())
    await audit(page, "scanner: typed from the label")
    await shot(page, "s01-manual-entry")
    await page.locator("#manual-go").click()
    await expect(page.locator("#step-confirm")).to_be_visible()
    await expect(page.locator("#manifest-info")).to_contain_text(printed_number)
    await expect(page.locator("#weighed")).to_have_value("2000")  # the manifest found by its number
    await page.locator("#confirm").click()
    await expect(page.locator("#result")).to_contain_text("提货成功")
    for c in (gen, drv):
        await c.close()
    assert watch.outside == [], watch.outside
    assert watch.errors == [], watch.errors
