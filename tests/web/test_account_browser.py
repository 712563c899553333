"""The account page in Chromium (issue #10 item 9): a regulator turns on two-step verification with
an authenticator app's code, keeps the recovery codes, and logs in again with a code."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.web.browser import PASSWORD, Watch, audit, login, new_context, shot
from tests.web.conftest import LiveServer
from waste_tracker import clock
from waste_tracker.auth import totp


async def test_a_regulator_turns_on_two_step_verification(live_server: LiveServer, browser: Browser) -> None:
    watch = Watch(live_server.url)
    ctx = await new_context(browser, watch, narrow=True)
    page = await ctx.new_page()
    await login(page, "jiaxing-regulator")
    await page.locator("a.who").click()  # the name in the header leads to the account page
    await expect(page.locator("h1")).to_have_text("我的账号")
    await audit(page, "account")
    await page.get_by_role("button", name="开启两步验证").click()
    await expect(page.locator("#second-factor-qr svg")).to_be_visible()
    secret = (await page.locator("#second-factor-secret").inner_text()).strip()
    await page.locator("#tf-code").fill(totp.code_at(secret, totp.step_of(clock.now())))
    await page.get_by_role("button", name="确认开启").click()
    await expect(page.locator("#recovery-codes li")).to_have_count(10)
    await audit(page, "account-recovery-codes")
    await shot(page, "account-recovery-codes")
    await page.get_by_role("button", name="退出登录").click()
    await page.wait_for_url("**/login")

    await page.locator("#username").fill("jiaxing-regulator")
    await page.locator("#password").fill(PASSWORD)
    await page.locator("#password").press("Enter")
    await expect(page.locator("h1")).to_have_text("两步验证")
    await audit(page, "login-code")
    # the next step's code (the one just used for set-up is not accepted twice)
    await page.locator("#code").fill(totp.code_at(secret, totp.step_of(clock.now()) + 1))
    await page.locator("#code").press("Enter")
    await page.wait_for_url("**/reg/alerts")
    assert not watch.outside and not watch.errors, (watch.outside, watch.errors)
    await ctx.close()
