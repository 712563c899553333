"""The regulators' exports in a real browser (issue #14): on the alert queue, the flows map and the
KPI table, the "Excel · CSV" links download files that open and hold what the page shows, with the
page's filters."""

from __future__ import annotations

import csv
import io
import re
import uuid
from pathlib import Path

import httpx
from openpyxl import load_workbook
from playwright.async_api import Browser, Page, expect

from tests.conftest import TEST_SECRET
from tests.web.browser import Watch, audit, login, new_context, shot
from tests.web.conftest import ARTIFACTS, LiveServer
from tests.web.test_e2e import DRIVER, ELSEWHERE, GEN_AT, submit_a_load, token_of
from waste_tracker import clock
from waste_tracker.alerts.export import COLUMNS as ALERT_COLUMNS
from waste_tracker.scan.tokens import make_token
from waste_tracker.stats.export import FLOW_COLUMNS, KPI_COLUMNS

expect.set_options(timeout=20_000)


async def _dumped_in_haining(api: httpx.AsyncClient) -> str:
    """Through the API: general waste from 桐乡 to 桐乡, picked up at the generator and dropped off
    inside 海宁 (out of the county): alerts for the bureau. Returns the manifest number."""
    m = await submit_a_load(api)
    drv = await token_of(api, DRIVER)
    token = make_token(TEST_SECRET, uuid.UUID(m["id"]), m["number"])
    for action, (lon, lat) in (("pickup", GEN_AT), ("dropoff", ELSEWHERE)):
        body = {"token": token, "action": action, "lon": lon, "lat": lat, "vehicle_plate": "浙F30301"}
        if action == "pickup":
            body["quantity_kg"] = "2000"
        r = await api.post("/api/v1/scans", json=body, headers=drv)
        assert r.status_code == 201, r.text
    return str(m["number"])


async def _download(page: Page, link: str, name: str) -> Path:
    """Click the link in the page's export line and keep the file it downloads."""
    async with page.expect_download() as info:
        await page.locator("#exports").get_by_role("link", name=link, exact=True).click()
    download = await info.value
    assert download.suggested_filename.endswith(".xlsx" if link == "Excel" else ".csv"), download.suggested_filename
    path = ARTIFACTS / name
    await download.save_as(path)
    return path


def _sheet(path: Path) -> list[tuple[object, ...]]:
    wb = load_workbook(path)
    assert len(wb.worksheets) == 1
    return list(wb.worksheets[0].iter_rows(values_only=True))


async def _queue_ids(page: Page) -> list[int]:
    hrefs = await page.locator("#alert-table tbody tr td a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    return [int(re.sub(r"^/reg/alerts/", "", h)) for h in hrefs]


async def test_regulator_downloads_what_the_pages_show(live_server: LiveServer, browser: Browser) -> None:
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as api:
        number = await _dumped_in_haining(api)

    watch = Watch(live_server.url)
    ctx = await new_context(browser, watch)
    page = await ctx.new_page()
    await login(page, "jiaxing-regulator")
    await page.wait_for_url("**/reg/alerts")
    exports = page.locator("#exports")
    await expect(exports).to_contain_text("按当前筛选条件导出")
    await audit(page, "alert queue with exports")

    # The queue as it opens (open and acknowledged alerts): the file holds the same alerts, in order.
    shown = await _queue_ids(page)
    assert shown and len(shown) < 50  # one page: the file and the table can be compared whole
    rows = _sheet(await _download(page, "Excel", "reg-alerts.xlsx"))
    assert rows[0] == tuple(ALERT_COLUMNS["zh-CN"])
    assert [r[0] for r in rows[1:]] == shown
    numbers = rows[0].index("联单编号")
    assert number in {r[numbers] for r in rows[1:]}
    assert {r[rows[0].index("状态")] for r in rows[1:]} <= {"待处理", "已确认"}

    # Filtered by a rule: the link carries the filter, so does the file.
    await page.locator("#f-rule").select_option("solid_waste_left_county")
    await page.get_by_role("button", name="应用").click()
    await page.wait_for_url(re.compile(r"rule=solid_waste_left_county"))
    await expect(exports.get_by_role("link", name="Excel")).to_have_attribute("href", re.compile("rule=solid_waste_left_county"))
    shown = await _queue_ids(page)
    rows = _sheet(await _download(page, "Excel", "reg-alerts-rule.xlsx"))
    assert [r[0] for r in rows[1:]] == shown and len(shown) >= 1
    assert {r[rows[0].index("规则代码")] for r in rows[1:]} == {"solid_waste_left_county"}
    assert number in {r[numbers] for r in rows[1:]}
    await shot(page, "x01-regulator-alerts-export")

    # The flows of today (the load's pickup) as Excel; the KPIs as CSV with a BOM.
    today = clock.today().isoformat()
    await page.goto(f"/reg/flows?date_from={today}&date_to={today}")
    await expect(page.locator("#flows-table")).to_contain_text("桐乡市")
    rows = _sheet(await _download(page, "Excel", "reg-flows.xlsx"))
    assert rows[0] == tuple(FLOW_COLUMNS["zh-CN"])
    assert len(rows) - 1 == await page.locator("#flows-table tbody tr").count()
    assert any(r[1] == "桐乡市" for r in rows[1:])
    await page.goto(f"/reg/kpis?date_from={today}&date_to={today}")
    path = await _download(page, "CSV", "reg-kpis.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0] == KPI_COLUMNS["zh-CN"]
    assert len(table) - 1 == await page.locator("#kpi-table tbody tr").count()
    assert "桐乡市" in {r[1] for r in table[1:]}

    # In English, the files follow the page's language.
    await page.get_by_role("link", name="English").click()
    await expect(page.locator("h1")).to_have_text("County KPIs")
    rows = _sheet(await _download(page, "Excel", "reg-kpis-en.xlsx"))
    assert rows[0] == tuple(KPI_COLUMNS["en"])
    await ctx.close()
    assert watch.outside == [], watch.outside
    assert watch.errors == [], watch.errors
