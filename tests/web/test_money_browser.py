"""The money pages in a real browser (issue #15): the generator registers a contract with its
scan, enters a payment and imports a bank statement (a file with a bad row is refused with the
line number and nothing written; a good one is imported after its preview); the receiver records
an invoice and sees the matching view; the city bureau sees the payments and the money alerts."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image
from playwright.async_api import Browser, expect

from tests.web.browser import Watch, audit, login, new_context, shot
from tests.web.conftest import LiveServer
from waste_tracker import clock
from waste_tracker.registry.uscc import make_uscc

expect.set_options(timeout=20_000)
GENERATOR = "nanhu-chem"
GENERATOR_NAME = "嘉兴南湖精细化工有限公司"
RECEIVER = "jiaxing-incinerator"
RECEIVER_NAME = "嘉兴市危险废物焚烧处置有限公司"
RECEIVER_USCC = make_uscc("330411", "MA2T3U6J5")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (250, 250, 250)).save(out, format="PNG")
    return out.getvalue()


def _csv(rows: list[str]) -> bytes:
    head = "交易日期,金额,对方户名,对方统一社会信用代码,交易流水号,用途"
    return ("\n".join([head, *rows]) + "\n").encode("utf-8")


async def _preview(page, name: str, content: bytes) -> None:  # type: ignore[no-untyped-def]
    await page.locator("#csv-file").set_input_files({"name": name, "mimeType": "text/csv", "buffer": content})
    await page.get_by_role("button", name="预览").click()
    await expect(page.locator("#csv-result")).to_be_visible()


async def test_contracts_payments_invoices_and_the_regulator(live_server: LiveServer, browser: Browser) -> None:
    watch = Watch(live_server.url)
    today = clock.today()
    gen = await new_context(browser, watch)
    page = await gen.new_page()
    await login(page, GENERATOR)
    await page.locator("header").get_by_role("link", name="合同与付款").click()
    await page.wait_for_url("**/money")
    await audit(page, "money (generator)")

    # A contract with its scan; a file that is not a PDF or image is refused before anything is sent.
    form = page.locator("#contract-form")
    await form.locator("#c-party").select_option(label=f"{RECEIVER_NAME}（接受人）")
    await form.locator("#c-number").fill("HT-T-001")
    await form.locator("#c-codes").fill("HW06, 900-041-49")
    await form.locator("#c-price").fill("2800")
    await form.locator("#c-to").fill(str(today + timedelta(days=365)))
    await form.locator("#c-file").set_input_files({"name": "note.txt", "mimeType": "text/plain", "buffer": b"hello"})
    await form.get_by_role("button", name="登记合同").click()
    await expect(page.locator("#money-error")).to_contain_text("PDF、JPEG 或 PNG")
    await form.locator("#c-file").set_input_files({"name": "合同.png", "mimeType": "image/png", "buffer": _png()})
    await form.get_by_role("button", name="登记合同").click()
    await expect(page.locator("#contracts")).to_contain_text("HT-T-001")
    await expect(page.locator("#contracts")).to_contain_text("有效")
    await expect(page.locator("#contracts")).to_contain_text("合同.png")
    await expect(page.locator("#contracts")).to_contain_text("¥2800.00")

    # A payment entered by hand.
    pay = page.locator("#payment-form")
    await pay.locator("#p-payee").select_option(label=f"{RECEIVER_NAME}（接受人）")
    await pay.locator("#p-amount").fill("5600")
    await pay.locator("#p-invoice").fill("FP-T-001")
    await pay.get_by_role("button", name="保存付款").click()
    await expect(page.locator("#payments tbody tr")).to_have_count(1)
    await expect(page.locator("#payments")).to_contain_text("¥5600.00")

    # A statement with a bad row: the line is named, and nothing can be imported.
    day = str(today - timedelta(days=1))
    first = f"{day},1200.00,{RECEIVER_NAME},{RECEIVER_USCC},LS-T-1,处置费"
    await _preview(page, "bad.csv", _csv([first, f"2026-13-45,300,{RECEIVER_NAME},{RECEIVER_USCC},LS-T-2,处置费"]))
    await expect(page.locator("#csv-errors")).to_contain_text("第 3 行：“交易日期”有误")
    await expect(page.locator("#csv-import")).to_be_disabled()
    await shot(page, "m01-csv-preview-error")
    # A payee code that fails its check character is caught by the preview already.
    await _preview(page, "uscc.csv", _csv([first, f"{day},300,某公司,91330400MA2B7C1X0X,LS-T-2,处置费"]))
    await expect(page.locator("#csv-errors")).to_contain_text("第 3 行")
    await expect(page.locator("#csv-import")).to_be_disabled()
    await page.reload()
    await expect(page.locator("#payments tbody tr")).to_have_count(1)
    good = _csv(
        [
            f"{day},1200.00,{RECEIVER_NAME},{RECEIVER_USCC},LS-T-1,处置费",
            f'{day},"1,500.00",{RECEIVER_NAME},{RECEIVER_USCC},LS-T-3,处置费',
        ]
    )
    await _preview(page, "good.csv", good)
    await expect(page.locator("#csv-summary")).to_contain_text("共 2 行，全部无误")
    await expect(page.locator("#csv-rows tbody tr")).to_have_count(2)
    await page.get_by_role("button", name="导入", exact=True).click()
    await expect(page.locator("#payments tbody tr")).to_have_count(3)
    await expect(page.locator("#payments")).to_contain_text("LS-T-3")
    await expect(page.locator("#payments")).to_contain_text("银行流水第 3 行")
    await shot(page, "m02-generator-money")

    # The receiver records the invoice and sees the matching view.
    rcv = await new_context(browser, watch)
    rp = await rcv.new_page()
    await login(rp, RECEIVER)
    await rp.locator("header").get_by_role("link", name="合同与付款").click()
    await rp.wait_for_url("**/money")
    await expect(rp.locator("#contracts")).to_contain_text("HT-T-001")
    await expect(rp.locator("#payments")).to_contain_text("¥5600.00")
    inv = rp.locator("#invoice-form")
    await inv.locator("#i-buyer").select_option(label=GENERATOR_NAME)
    await inv.locator("#i-number").fill("FP-T-001")
    await inv.locator("#i-amount").fill("5600")
    await inv.get_by_role("button", name="保存发票").click()
    await expect(rp.locator("#invoices")).to_contain_text("FP-T-001")
    await expect(rp.get_by_role("heading", name="联单、付款与发票核对")).to_be_visible()
    await inv.locator("#i-number").fill("FP-T-001")
    await inv.locator("#i-amount").fill("10")
    await inv.get_by_role("button", name="保存发票").click()
    await expect(rp.locator("#money-error")).to_contain_text("FP-T-001")
    await audit(rp, "money (receiver)")
    await shot(rp, "m03-receiver-money")

    # The city bureau: the payments, and the money alerts by rule.
    reg = await new_context(browser, watch)
    gp = await reg.new_page()
    await login(gp, "jiaxing-regulator")
    await gp.locator("header").get_by_role("link", name="资金流向").click()
    await gp.wait_for_url("**/reg/money")
    await expect(gp.locator("#payments")).to_contain_text("¥5600.00")
    await expect(gp.locator("#payments")).to_contain_text("LS-T-3")
    await expect(gp.locator("#contracts")).to_contain_text("HT-T-001")
    link = gp.locator("#money-rules a").first
    assert (await link.get_attribute("href") or "").startswith("/reg/alerts?rule=fee_to_carrier_or_person")
    await audit(gp, "money (regulator)")

    # At phone size.
    phone = await new_context(browser, watch, narrow=True)
    pp = await phone.new_page()
    await login(pp, GENERATOR)
    await pp.goto("/money")
    await audit(pp, "money (generator, phone)")
    await shot(pp, "m04-generator-phone")
    for c in (gen, rcv, reg, phone):
        await c.close()
    assert watch.outside == [], watch.outside
    assert [e for e in watch.errors if "status of 4" not in e] == [], watch.errors
