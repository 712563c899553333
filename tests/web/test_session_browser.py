"""An expired session on a page that works through the API (issue #14): the person is sent to the
log-in page, told why in words, and brought back to where they were."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.web.browser import PASSWORD, Watch, login, new_context
from tests.web.conftest import LiveServer
from tests.web.test_e2e import GENERATOR

expect.set_options(timeout=20_000)


async def test_back_to_log_in_and_back_again(live_server: LiveServer, browser: Browser) -> None:
    watch = Watch(live_server.url)
    ctx = await new_context(browser, watch)
    page = await ctx.new_page()
    await login(page, GENERATOR)
    await page.goto("/manifests/new")
    # The session ends (here: its cookie is gone, as when it expires); the form's next call to
    # the server is refused and the page goes to the log-in form.
    session = [c for c in await ctx.cookies() if c["name"] == "wt_session"]
    assert session
    await ctx.clear_cookies(name="wt_session")
    await page.locator("#l1-code").fill("SW17")
    await page.wait_for_url("**/login?next=%2Fmanifests%2Fnew")
    await page.locator("#username").fill(GENERATOR)
    await page.locator("#password").fill(PASSWORD)
    await page.locator("#password").press("Enter")
    await page.wait_for_url("**/manifests/new")
    await expect(page.locator("h1")).to_have_text("新建转移联单")
    await ctx.close()
    assert watch.outside == [], watch.outside
