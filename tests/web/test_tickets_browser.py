"""Weighbridge tickets in a real browser: a receiver types one in (a wrong net weight is refused
with the reason), uploads a scale's CSV, and sees them listed — unmatched, since no manifest
brought those trucks."""

from __future__ import annotations

from PIL import Image
from playwright.async_api import Browser, expect

from tests.web.browser import Watch, audit, login, new_context, shot
from tests.web.conftest import ARTIFACTS, LiveServer
from waste_tracker import clock


async def test_a_receiver_records_tickets(live_server: LiveServer, browser: Browser) -> None:
    watch = Watch(live_server.url)
    ctx = await new_context(browser, watch)
    page = await ctx.new_page()
    await login(page, "haiyan-landfill")
    await page.locator("header").get_by_role("link", name="过磅单").click()
    await page.wait_for_url("**/tickets")
    await audit(page, "tickets")
    await page.locator("#tk-plate").fill("浙FX7777")
    await page.locator("#tk-gross").fill("21000")
    await page.locator("#tk-tare").fill("9000")
    await page.locator("#tk-net").fill("11000")
    await page.get_by_role("button", name="保存").click()
    await expect(page.locator("#ticket-result")).to_contain_text("不等于毛重")
    await page.locator("#tk-net").fill("12000")
    photo = ARTIFACTS / "ticket-photo.png"
    Image.new("RGB", (2400, 1800), (235, 235, 220)).save(photo)  # a phone's photo: shrunk to fit before it is sent
    await page.locator("#tk-photo").set_input_files(str(photo))
    await page.get_by_role("button", name="保存").click()
    await expect(page.locator("#tickets")).to_contain_text("浙FX7777")
    await expect(page.locator("#tickets")).to_contain_text("未匹配")
    link = page.locator("#tickets").get_by_role("link", name="查看照片")
    await expect(link).to_have_count(1)
    got = await page.request.get(await link.get_attribute("href") or "")
    assert got.status == 200 and got.headers["content-type"] == "image/jpeg"
    assert len(await got.body()) < 512 * 1024
    csv = ARTIFACTS / "scale.csv"
    csv.write_text(
        f"plate,gross_kg,tare_kg,net_kg,weighed_at,scale_id\n浙FX8888,15000,9000,6000,{clock.now().isoformat()},SCALE-2\n",
        encoding="utf-8",
    )
    await page.locator("#csv-file").set_input_files(str(csv))
    await page.get_by_role("button", name="上传").click()
    await expect(page.locator("#tickets")).to_contain_text("浙FX8888")
    await shot(page, "t01-tickets")
    await ctx.close()
    assert watch.outside == [], watch.outside
    assert [e for e in watch.errors if "status of 4" not in e] == [], watch.errors
