"""Protected zones in a real browser: the example zones on the map and in the list, and a
regulator importing a GeoJSON file."""

from __future__ import annotations

import json

from playwright.async_api import Browser, expect

from tests.web.browser import Watch, audit, login, new_context, shot
from tests.web.conftest import ARTIFACTS, LiveServer


async def test_a_regulator_imports_a_zone(live_server: LiveServer, browser: Browser) -> None:
    watch = Watch(live_server.url)
    ctx = await new_context(browser, watch)
    page = await ctx.new_page()
    await login(page, "jiaxing-regulator")
    await page.locator("header").get_by_role("link", name="保护区").click()
    await page.wait_for_url("**/reg/zones")
    await expect(page.locator("#zones-map")).to_have_attribute("data-ready", "true")
    await expect(page.locator("#zones")).to_contain_text("示例：南湖饮用水水源保护区")
    await expect(page.locator("#zones")).to_contain_text("示例，非官方边界")
    await audit(page, "zones")
    ring = [[120.90, 30.70], [120.91, 30.70], [120.91, 30.71], [120.90, 30.71], [120.90, 30.70]]
    doc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": "测试水源地"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        ],
    }
    path = ARTIFACTS / "zone.geojson"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    await page.locator("#z-file").set_input_files(str(path))
    await page.locator("#z-source").fill("测试文件")
    await page.get_by_role("button", name="导入").click()
    await expect(page.locator("#zones")).to_contain_text("测试水源地")
    # A file that is not polygons is refused, with the reason.
    bad = ARTIFACTS / "zone-line.geojson"
    bad.write_text(
        json.dumps({"type": "Feature", "properties": {"name": "线"}, "geometry": {"type": "LineString", "coordinates": ring}}),
        encoding="utf-8",
    )
    await page.locator("#z-file").set_input_files(str(bad))
    await page.get_by_role("button", name="导入").click()
    await expect(page.locator("#zones-result")).to_contain_text("不是面")
    await shot(page, "z01-zones")
    await ctx.close()
    assert watch.outside == [], watch.outside
    assert [e for e in watch.errors if "status of 4" not in e] == [], watch.errors
