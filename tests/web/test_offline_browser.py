"""The scanner opens without network (issue #14): once a driver has opened it online, a service
worker keeps the page and its scripts on the phone; offline, the scanner still loads, takes a scan
typed from the label and keeps it until the network is back, when it is sent."""

from __future__ import annotations

import httpx
from playwright.async_api import Browser, expect

from tests.web.browser import Watch, login, new_context, shot
from tests.web.conftest import LiveServer
from tests.web.test_e2e import GEN_AT, submit_a_load, token_of

expect.set_options(timeout=20_000)


async def test_the_scanner_starts_offline(live_server: LiveServer, browser: Browser) -> None:
    watch = Watch(live_server.url)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as api:
        m = await submit_a_load(api)
        label = await api.get(f"/api/v1/manifests/{m['id']}/label", headers=await token_of(api, "tongxiang-fibre"))
        code = label.text.split('class="check-code">')[1].split("<")[0]
    drv = await new_context(browser, watch, narrow=True, at=GEN_AT)
    page = await drv.new_page()
    await login(page, "driver-tongda")
    await page.goto("/scan")
    await expect(page.locator("html")).to_have_attribute("data-offline-ready", "true")
    await page.reload()  # now under the worker's control
    await expect(page.locator("html")).to_have_attribute("data-offline-ready", "true")

    # The scripts and styles are the worker's kept copies, not the browser's ordinary cache.
    kept = await page.evaluate(
        """async () => {
             const c = await caches.open("wt-driver-v1");
             return (await c.keys()).map(r => new URL(r.url).pathname);
           }"""
    )
    assert "/scan" in kept and any(p.endswith("/js/scan.js") for p in kept) and any(p.endswith(".css") for p in kept), kept
    await drv.set_offline(True)
    await page.goto("/scan")  # no network: the kept copy
    await expect(page.locator("h1")).to_have_text("扫码交接")
    await page.get_by_text("无法扫码？手动输入").click()
    await page.locator("#manual-number").fill(m["number"])
    await page.locator("#manual-check").fill(code)
    await page.locator("#manual-go").click()
    await page.locator("#weighed").fill("2000")
    await page.locator("#confirm").click()
    await expect(page.locator("#result")).to_contain_text("已保存")
    await shot(page, "o01-offline-scan-queued")

    await drv.set_offline(False)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as api:
        gen = await token_of(api, "tongxiang-fibre")
        for _ in range(60):
            got = (await api.get(f"/api/v1/manifests/{m['id']}", headers=gen)).json()
            if got["status"] == "in_transit":
                break
            await page.wait_for_timeout(500)
        assert got["status"] == "in_transit", got["status"]
    await drv.close()
    assert watch.outside == [], watch.outside
