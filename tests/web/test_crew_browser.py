"""Naming the truck and driver when filing (issue #14): the form shows the chosen carrier's road
transport permit with its validity on the pickup day and offers its trucks and drivers; the
manifest shows them with the receiver's licence number; the named driver sees the job as theirs."""

from __future__ import annotations

import re

from playwright.async_api import Browser, expect

from tests.web.browser import Watch, audit, login, new_context, shot, start_a_load
from tests.web.conftest import LiveServer
from tests.web.test_e2e import CARRIER_NAME, DRIVER, GENERATOR

expect.set_options(timeout=20_000)


async def test_file_with_truck_and_driver(live_server: LiveServer, browser: Browser) -> None:
    watch = Watch(live_server.url)
    ctx = await new_context(browser, watch)
    page = await ctx.new_page()
    await login(page, GENERATOR)
    await start_a_load(page, "6")
    await expect(page.locator(".cand-row").first).to_contain_text("许可证")  # the receiver's licence number
    await page.locator("#planned_method_code").select_option("R15")
    await page.locator("#carrier_org_id").select_option(label=CARRIER_NAME)
    permits = page.locator("#carrier-permits")
    await expect(permits).to_contain_text("道路运输许可证")
    await expect(permits).to_contain_text("有效期至")
    await expect(page.locator("#planned_vehicle_plate option", has_text="浙F30301")).to_have_count(1)
    await page.locator("#planned_vehicle_plate").select_option("浙F30301")
    await page.locator("#planned_driver_id").select_option(label=f"{CARRIER_NAME} 驾驶员")
    # A pickup day after the permits run out: said at once.
    day = page.locator("#planned_pickup_date")
    today = await day.input_value()
    await day.fill("2030-01-02")  # the demo permits run to 2029-12-31
    await expect(permits).to_contain_text("没有有效的道路运输许可证")
    await day.fill(today)
    await expect(permits).not_to_contain_text("没有有效")
    await audit(page, "new manifest with truck and driver")
    await shot(page, "v01-new-manifest-crew")
    await page.locator("#submit-manifest").click()
    await page.wait_for_url(re.compile(r"/m/[0-9a-f-]{36}\?created=1$"))
    await expect(page.locator("#planned-crew")).to_have_text(f"浙F30301 · {CARRIER_NAME} 驾驶员")
    await expect(page.locator("#receiver-licence")).to_contain_text("经营许可证")
    number = (await page.locator("h1 .mono").inner_text()).strip()
    await ctx.close()

    phone = await new_context(browser, watch, narrow=True)
    dp = await phone.new_page()
    await login(dp, DRIVER)
    card = dp.locator(".tasks li", has_text=number)
    await expect(card.locator(".badge.assigned")).to_have_text("指派给您")
    await expect(card).to_contain_text("浙F30301")
    await audit(dp, "driver home with an assigned job")
    await phone.close()
    assert watch.outside == [], watch.outside
    assert watch.errors == [], watch.errors
