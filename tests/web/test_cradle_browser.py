"""The cradle in a real browser (Debian's headless Chromium) against a real server, on the demo
year of ledger records:

1. a generator registers two drums, prints their HJ 1276 labels (whose QR really carries the
   identification code) and fills a manifest from them;
2. the driver, on a 360 px phone at the site, accounts for both drums at pickup — one from a photo
   of its label (decoded in the page), one typed off the label;
3. a unit without a plan drafts one in the form and submits it; the city bureau accepts it and
   the filing number appears;
4. the generator declares an overdue month; the regulator reads the mass balance of an
   enterprise (table and chart) with its alerts.
"""

from __future__ import annotations

import re
import uuid

import httpx
import zxingcpp
from PIL import Image
from playwright.async_api import Browser, BrowserContext, expect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.conftest import TEST_SECRET
from tests.web.browser import PASSWORD, Watch, audit, login, new_context, shot
from tests.web.conftest import ARTIFACTS, LiveServer
from waste_tracker.scan.tokens import make_token
from waste_tracker.seed.cradle import seed_cradle

NANHU_AT = (120.8120, 30.7190)  # 南湖精细化工一厂

expect.set_options(timeout=15_000)


async def _auth(api: httpx.AsyncClient, username: str) -> dict[str, str]:
    r = await api.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def generator_registers_and_ships(ctx: BrowserContext) -> tuple[str, list[str]]:
    page = await ctx.new_page()
    await login(page, "nanhu-chem")
    await page.locator("header").get_by_role("link", name="台账").click()
    await page.wait_for_url("**/ledger")
    await audit(page, "ledger")
    form = page.locator("#register-form")
    await form.locator("#r-code").fill("900-249-08")
    await form.locator("#r-form").select_option("liquid")
    await form.locator("#r-gross").fill("188")
    await form.locator("#r-net").fill("170")
    await form.locator("#r-count").fill("2")
    await form.get_by_role("button", name="登记并生成标签").click()
    result = page.locator("#register-result")
    await expect(result).to_contain_text("已登记 2 个容器")
    first = re.search(r"[0-9A-Z]{37}", await result.inner_text())
    assert first, await result.inner_text()
    await shot(page, "c01-ledger-registered")
    await result.get_by_role("link", name="打印这些标签").click()
    await page.wait_for_url("**/ledger/labels?ids=*")
    await expect(page.locator("figure.hw-label > svg")).to_have_count(2)
    codes = [await f.get_attribute("data-code") for f in await page.locator("figure.hw-label").all()]
    assert codes[0] == first.group(0) and all(c and len(c) == 37 for c in codes)
    await expect(page.locator("figure.hw-label").first).to_contain_text("数字识别码")
    await shot(page, "c02-label-sheet")
    await page.goto("/ledger")
    for code in codes:
        await page.get_by_label(f"选择 {code}").check()
    await page.get_by_role("button", name="用所选容器填写联单").click()
    await page.wait_for_url("**/ledger/manifest?ids=*")
    await audit(page, "manifest from containers")
    await page.locator("#lm-receiver").select_option(label="平湖再生油有限公司 · 独山港再生油厂")
    await page.locator("#lm-method").select_option("R9")
    await page.locator("#lm-carrier").select_option(label="嘉兴绿通危险品运输有限公司")
    await page.get_by_role("button", name="生成联单草稿").click()
    await page.wait_for_url(re.compile(r"/m/[0-9a-f-]{36}$"))
    manifest_id = re.search(r"/m/([0-9a-f-]{36})", page.url).group(1)  # type: ignore[union-attr]
    await expect(page.locator("main")).to_contain_text("900-249-08")
    await expect(page.locator("main")).to_contain_text("340")
    await shot(page, "c03-manifest-from-containers")
    await page.close()
    return manifest_id, [c for c in codes if c]


async def driver_counts_the_drums(ctx: BrowserContext, number: str, token: str, codes: list[str], png) -> None:  # type: ignore[no-untyped-def]
    page = await ctx.new_page()
    await login(page, "driver-lvtong")
    await page.goto(f"/scan?m={number}&t={token}")
    box = page.locator("#containers-box")
    await expect(box).to_be_visible()
    await expect(page.locator("#containers-state")).to_contain_text("已核对 0 / 2")
    await audit(page, "scan with containers")
    await page.locator("#confirm").click()
    await expect(page.locator("#result")).to_contain_text("这张联单有 2 个容器")
    await page.locator("#container-photo").set_input_files(str(png))  # decoded by the vendored jsQR
    await expect(page.locator("#containers-state")).to_contain_text("已核对 1 / 2")
    await page.locator("#container-code").fill(codes[1].lower())
    await page.get_by_role("button", name="核对").click()
    await expect(page.locator("#containers-state")).to_contain_text("已核对 2 / 2")
    await expect(page.locator("#containers-list li.done")).to_have_count(2)
    await shot(page, "c04-driver-containers-checked")
    await page.locator("#confirm").click()
    await expect(page.locator("#result")).to_contain_text("提货成功")
    await page.close()


async def a_plan_is_filed_and_accepted(gen: BrowserContext, reg: BrowserContext) -> str:
    page = await gen.new_page()
    await login(page, "pinghu-petrochem")
    await page.goto("/plans/new")
    await audit(page, "new plan")
    waste = page.locator("[data-row=waste]").first
    await waste.get_by_label("废物代码").fill("900-249-08")
    await waste.get_by_label("废物名称").fill("废矿物油")
    await waste.locator("select[name=physical_form]").select_option("liquid")
    await waste.get_by_label("预计数量（吨/年）").fill("6")
    transfer = page.locator("[data-row=transfer]").first
    await transfer.locator("select[name=receiver_site_id]").select_option(label="平湖再生油有限公司 · 独山港再生油厂")
    await transfer.locator("select[name=method_code]").select_option("R9")
    await transfer.get_by_label("废物代码（逗号分隔）").fill("900-249-08")
    await transfer.get_by_label("预计数量（吨/年）").fill("6")
    await page.get_by_role("button", name="保存").click()
    await page.wait_for_url(re.compile(r"/plans/[0-9a-f-]{36}$"))
    plan_url = page.url
    await expect(page.locator("#plan-status")).to_contain_text("草稿")
    await page.get_by_role("button", name="提交备案").click()
    await expect(page.locator("#plan-status")).to_contain_text("待备案")
    await shot(page, "c05-plan-submitted")
    await page.close()

    page = await reg.new_page()
    await login(page, "jiaxing-regulator")
    await page.locator("header").get_by_role("link", name="计划备案").click()
    await page.wait_for_url("**/reg/plans")
    await audit(page, "regulator plans")
    await page.locator("#reg-plans").get_by_role("link", name=re.compile("嘉兴港区石化")).click()
    await page.wait_for_url(plan_url)
    await page.get_by_role("button", name="备案通过").click()
    number = page.locator("#filing-number")
    await expect(number).to_have_text(re.compile(r"330482-\d{4}-W\d{4}"))
    await shot(page, "c06-plan-accepted")
    filing = await number.inner_text()
    await page.close()
    return filing


async def declaration_and_balance(gen: BrowserContext, reg: BrowserContext) -> None:
    page = await gen.new_page()
    await login(page, "nanhu-chem")
    await page.goto("/declarations")
    await audit(page, "declarations")
    overdue = page.locator("tr.decl-overdue").first
    await expect(overdue).to_contain_text("已逾期")
    await overdue.get_by_role("link", name="查看并申报").click()
    await page.wait_for_url("**/declarations/draft?*")
    await expect(page.locator("#draft-wastes")).to_contain_text("900-013-11")
    await audit(page, "declaration draft")
    await page.get_by_role("button", name="确认无误，提交申报").click()
    await expect(page.locator("#versions")).to_contain_text("v1")
    await expect(page.locator("#versions")).to_contain_text("逾期提交")
    await shot(page, "c07-declared")
    await page.close()

    page = await reg.new_page()
    await login(page, "jiaxing-regulator")
    await page.locator("header").get_by_role("link", name="物料平衡").click()
    await page.wait_for_url("**/reg/balance")
    await audit(page, "mass balance")
    await page.locator("#reg-balance").get_by_role("link", name=re.compile("嘉兴南湖精细化工")).click()
    await expect(page.locator("figure.chart svg rect.bar").first).to_be_visible()
    await expect(page.locator("#balance-table tbody tr").first).to_be_visible()
    await expect(page.locator("#site-alerts")).to_contain_text("贮存超期")
    await audit(page, "mass balance of one enterprise")
    await shot(page, "c08-regulator-balance")
    await page.close()


async def test_the_cradle_in_the_browser(live_server: LiveServer, browser: Browser, committed: AsyncEngine) -> None:
    async with AsyncSession(committed, expire_on_commit=False) as s:
        await seed_cradle(s)
        await s.commit()
    base = live_server.url
    watch = Watch(base)
    gen = await new_context(browser, watch)
    manifest_id, codes = await generator_registers_and_ships(gen)
    async with httpx.AsyncClient(base_url=base, timeout=30) as api:
        g = await _auth(api, "nanhu-chem")
        r = await api.post(f"/api/v1/manifests/{manifest_id}/submit", headers=g)
        assert r.status_code == 200, r.text
        number = r.json()["number"]
        c = (await api.get(f"/api/v1/containers/by-code/{codes[0]}", headers=g)).json()
        png = ARTIFACTS / "container-label.png"
        png.write_bytes((await api.get(c["label_png_url"].replace("http://testserver", ""), headers=g)).content)
        (found,) = zxingcpp.read_barcodes(Image.open(png))
        assert found.text == codes[0]  # the label's QR carries the identification code
        drv = await new_context(browser, watch, narrow=True, at=NANHU_AT)
        token = make_token(TEST_SECRET, uuid.UUID(manifest_id), number)
        await driver_counts_the_drums(drv, number, token, codes, png)
        events = (await api.get(f"/api/v1/manifests/{manifest_id}/events", headers=g)).json()
        assert events[-1]["type"] == "picked_up" and events[-1]["payload"]["containers"]["scanned"] == 2
        after = (await api.get(f"/api/v1/containers/by-code/{codes[1]}", headers=g)).json()
        assert after["status"] == "shipped"
    reg = await new_context(browser, watch)
    await a_plan_is_filed_and_accepted(gen, reg)
    await declaration_and_balance(gen, reg)
    for ctx in (gen, drv, reg):
        await ctx.close()
    assert watch.outside == [], f"loaded from outside the app: {watch.outside}"
    assert watch.errors == [], watch.errors
