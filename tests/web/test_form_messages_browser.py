"""The new-manifest form says what is wrong in words (issue #14): a phone number "abc" is not
"please fill in", a past pickup date is not "no licensed receiver", a huge quantity is refused in
Chinese with the line and the field named."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
from playwright.async_api import Browser, expect

from tests.web.browser import Watch, login, new_context, shot, start_a_load
from tests.web.conftest import LiveServer
from tests.web.test_e2e import CARRIER_NAME, GENERATOR
from tests.web.test_rejections_browser import _delivered

expect.set_options(timeout=20_000)


async def test_the_form_explains_refusals(live_server: LiveServer, browser: Browser) -> None:
    watch = Watch(live_server.url)
    ctx = await new_context(browser, watch)
    page = await ctx.new_page()
    await login(page, GENERATOR)
    await start_a_load(page, "8")
    error = page.locator("#form-error")
    submit = page.locator("#submit-manifest")
    await page.locator("#planned_method_code").select_option("R15")
    await page.locator("#carrier_org_id").select_option(label=CARRIER_NAME)
    await page.locator("#emergency_phone").fill("abc")
    await submit.click()
    await expect(error).to_contain_text("只能填数字")
    await expect(error).not_to_contain_text("请填写")
    await page.locator("#emergency_phone").fill("0573-82000000")
    await page.locator("#planned_pickup_date").fill("2020-01-01")
    candidates = page.locator("#candidates")
    await expect(candidates).to_contain_text("计划转移日期不能早于")
    await expect(candidates).not_to_contain_text("没有持有")
    await submit.click()
    await expect(error).to_contain_text("计划转移日期不能早于")
    assert not watch.errors, watch.errors


async def test_a_huge_weight_is_refused_in_words(live_server: LiveServer, browser: Browser) -> None:
    """The receiver types one zero too many: the service refuses it, line and field named, in Chinese."""
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as api:
        m = await _delivered(api)
    watch = Watch(live_server.url)
    ctx = await new_context(browser, watch)
    page = await ctx.new_page()
    await login(page, "pinghu-oil")
    await page.goto(f"/m/{m['id']}")
    await page.locator("#rq-1").fill("20000000")
    await page.locator("#receive-form").get_by_role("button", name="确认接收").click()
    error = page.locator("#action-error")
    await expect(error).to_contain_text("第 1 行 · 数量：不能大于 1000000")
    await expect(error).not_to_contain_text("Input should")
    await shot(page, "f01-receive-huge-weight")
    en = await page.goto(f"/m/{m['id']}?lang=en")
    assert en is not None and en.ok
    await page.locator("#rq-1").fill("20000000")
    await page.locator("#receive-form").get_by_role("button", name="Confirm receipt").click()
    await expect(error).to_contain_text("line 1 · quantity: must be at most 1000000")

    # Accepting more than was weighed: the numbers in the message, never a "{placeholder}".
    await page.goto(f"/m/{m['id']}?lang=zh-CN")
    form = page.locator("#receive-form")
    await form.get_by_label("部分接收", exact=True).check()
    await page.locator("#rq-1").fill("2000")
    await page.locator("#ra-1").fill("2500")
    await form.locator("textarea, input[name=reason]").first.fill("含水率超标")
    await form.get_by_role("button", name="确认部分接收").click()
    await expect(error).to_contain_text("第 1 行接受的数量 2500.000 千克须在 0 到过磅数量 2000.000 千克之间")
    assert "{" not in await error.inner_text()
    await page.locator("#ra-1").fill("")
    await form.get_by_label("全部接收", exact=True).check()

    # Received today; a disposal dated yesterday is refused with the reason, not just "无效".
    await page.locator("#rq-1").fill("2000")
    await page.locator("#receive-form").get_by_role("button", name="确认接收").click()
    await expect(page.locator("#done-notice")).to_be_visible()
    today = await page.locator("#dispose-date").input_value()
    yesterday = (date.fromisoformat(today) - timedelta(days=1)).isoformat()
    await page.locator("#dispose-date").fill(yesterday)
    await page.locator("#dispose-form").get_by_role("button", name="记录处置").click()
    await expect(error).to_contain_text(f"须在接收日期 {today} 与今天 {today} 之间")
    await expect(error).to_contain_text("不能早于接收")
