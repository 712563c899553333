"""The label prints on one page (issue #14: "A5 prints over two pages"): Chromium's own print to
PDF at A5 and at A6 (a drum sticker), for a load of three lines, each one page."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Browser, expect

from tests.web.browser import Watch, login, new_context, shot
from tests.web.conftest import ARTIFACTS, LiveServer
from tests.web.test_e2e import GENERATOR, submit_a_load, token_of

expect.set_options(timeout=20_000)
PAGE = re.compile(rb"/Type\s*/Page(?!s)")


async def test_the_label_fits_one_a5_page_and_one_a6_sticker(live_server: LiveServer, browser: Browser) -> None:
    watch = Watch(live_server.url)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as api:
        m = await submit_a_load(api)
        gen = await token_of(api, GENERATOR)
        # Three lines and the long emergency text a real form carries.
        lines = [
            {
                "waste_code": c,
                "physical_form": "solid",
                "quantity": "2",
                "unit": "t",
                "container_type": "吨袋",
                "container_count": 2,
            }
            for c in ("SW17", "SW59", "SW07")
        ]
        body = {
            "generator_site_id": m["generator"]["site_id"],
            "carrier_org_id": m["carrier"]["organisation_id"],
            "receiver_site_id": m["receiver"]["site_id"],
            "planned_method_code": "R15",
            "planned_pickup_date": m["planned_pickup_date"],
            "emergency_measures": "泄漏时立即停车，设置警示标志，用吸附棉和沙土围堵，严禁明火和吸烟；人员撤离到上风向，"
            "拨打 119 和企业应急电话，报告所在地生态环境部门。" * 2,
            "emergency_contact": "张工",
            "emergency_phone": "0573-88888888",
            "lines": lines,
        }
        d = (await api.post("/api/v1/manifests", json=body, headers=gen)).json()
        d = (await api.post(f"/api/v1/manifests/{d['id']}/submit", headers=gen)).json()
        assert d["status"] == "submitted", d
    ctx = await new_context(browser, watch)
    page = await ctx.new_page()
    await login(page, GENERATOR)
    for size, fmt in (("a5", "A5"), ("a6", "A6")):
        await page.goto(f"/m/{d['id']}/label?size={size}")
        await expect(page.locator(".number")).to_have_text(d["number"])
        await expect(page.locator(f".sizes a[href='?size={size}']")).to_have_attribute("aria-current", "true")
        pdf = await page.pdf(format=fmt, prefer_css_page_size=True, print_background=True)
        (ARTIFACTS / f"label-{size}.pdf").write_bytes(pdf)
        assert len(PAGE.findall(pdf)) == 1, (size, len(PAGE.findall(pdf)))
    await shot(page, "l01-label-a6")
    await ctx.close()
    assert watch.outside == [], watch.outside
