"""Exemptions on both sides in a real browser (issue #14): a generator asks to send general waste
out of its county; the city bureau refuses one request and grants another for less; the
generator then files the manifest the rule would have refused, and the bureau revokes the grant."""

from __future__ import annotations

from datetime import timedelta

import httpx
from playwright.async_api import Browser, expect

from tests.web.browser import Watch, audit, login, new_context, shot
from tests.web.conftest import LiveServer
from tests.web.test_e2e import GENERATOR, submit_a_load, token_of
from waste_tracker import clock

expect.set_options(timeout=20_000)
JIASHAN = "嘉善固废利用中心"  # 嘉善县: out of 桐乡's county


async def _ask(page, qty: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    await page.locator("#ex-to").select_option(label=JIASHAN)
    await page.locator("#ex-codes").fill("SW17")
    await page.locator("#ex-qty").fill(qty)
    await page.locator("#ex-valid-to").fill(str(clock.today() + timedelta(days=90)))
    await page.locator("#ex-reason").fill(reason)
    await page.get_by_role("button", name="提交申请").click()


async def test_ask_grant_use_and_revoke(live_server: LiveServer, browser: Browser) -> None:
    watch = Watch(live_server.url)
    gen = await new_context(browser, watch)
    page = await gen.new_page()
    await login(page, GENERATOR)
    await page.locator("header").get_by_role("link", name="豁免申请").click()
    await page.wait_for_url("**/exemptions")
    await audit(page, "exemptions (generator)")
    # A receiver in its own county needs none: said at once.
    await page.locator("#ex-to").select_option(label="桐乡固废处置场")
    await page.locator("#ex-codes").fill("SW17")
    await page.locator("#ex-qty").fill("5")
    await page.locator("#ex-valid-to").fill(str(clock.today() + timedelta(days=90)))
    await page.locator("#ex-reason").fill("试一下")
    await page.get_by_role("button", name="提交申请").click()
    await expect(page.locator("#ex-error")).to_contain_text("不需要豁免")
    await _ask(page, "500", "本县处置场检修，请求临时外运")
    await expect(page.locator("#requests")).to_contain_text("待审批")
    await _ask(page, "20", "本县处置场满负荷，申请外运至嘉善综合利用")
    await expect(page.locator("#requests tbody tr")).to_have_count(2)
    await expect(page.locator("#requests")).to_contain_text("跨县")

    reg = await new_context(browser, watch)
    rp = await reg.new_page()
    await login(rp, "jiaxing-regulator")
    await rp.locator("header").get_by_role("link", name="豁免审批").click()
    await rp.wait_for_url("**/reg/exemptions")
    pending = rp.locator("#pending > li")
    await expect(pending).to_have_count(2)
    await audit(rp, "exemptions (regulator)")
    await shot(rp, "e01-regulator-pending")
    big = pending.filter(has_text="500")
    await big.get_by_role("button", name="不批准").click()
    await expect(rp.locator("#ex-error")).to_contain_text("请填写不批准的理由")
    await big.locator("input[name=note]").fill("数量过大，请按实际产生量申请")
    await big.get_by_role("button", name="不批准").click()
    await expect(pending).to_have_count(1)
    await pending.first.locator("input[name=quantity]").fill("10")
    await pending.first.get_by_role("button", name="批准", exact=True).click()
    await expect(rp.locator(".empty").first).to_contain_text("没有待审批的申请")
    await expect(rp.locator("#granted")).to_contain_text("10.000 t")

    await page.reload()
    await expect(page.locator("#requests")).to_contain_text("已批准")
    await expect(page.locator("#requests")).to_contain_text("数量过大")
    await expect(page.locator("#granted")).to_contain_text("已使用 0 kg / 批准 10.000 t")
    await shot(page, "e02-generator-granted")

    # The grant lets a manifest out of the county that the rule would refuse.
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as api:
        m = await submit_a_load(api)
        h = await token_of(api, GENERATOR)
        sites = {s["name"]: s["id"] for s in (await api.get("/api/v1/sites", headers=h)).json()}
        body = {k: m[k] for k in ("planned_method_code", "emergency_measures", "emergency_contact", "emergency_phone")}
        body |= {
            "generator_site_id": m["generator"]["site_id"],
            "carrier_org_id": m["carrier"]["organisation_id"],
            "receiver_site_id": sites[JIASHAN],
            "planned_pickup_date": str(clock.today()),
            "lines": [
                {
                    "waste_code": "SW17",
                    "physical_form": "solid",
                    "quantity": "2",
                    "unit": "t",
                    "container_type": "吨袋",
                    "container_count": 2,
                }
            ],
        }
        d = (await api.post("/api/v1/manifests", json=body, headers=h)).json()
        r = await api.post(f"/api/v1/manifests/{d['id']}/submit", headers=h)
        assert r.status_code == 200 and r.json()["exemption_id"], r.text

    await rp.reload()
    await expect(rp.locator("#granted")).to_contain_text("2.000 t / 10.000 t")
    rp.once("dialog", lambda dlg: dlg.accept())
    await rp.locator("#granted").get_by_role("button", name="撤销").click()
    await expect(rp.locator("#granted")).to_contain_text("已撤销")
    for c in (gen, reg):
        await c.close()
    assert watch.outside == [], watch.outside
    assert [e for e in watch.errors if "status of 4" not in e] == [], watch.errors
