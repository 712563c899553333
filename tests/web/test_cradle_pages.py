"""The cradle's pages without a browser, on the demo year: each renders for the roles that use
it (clean HTML, zh-CN and English), is refused to the others, and shows the records."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.cradle.test_demo import DEMO_AT
from tests.web.test_pages import assert_clean_html, login
from waste_tracker import clock
from waste_tracker.models import ManagementPlan, Site, WasteContainer
from waste_tracker.seed.cradle import seed_cradle
from waste_tracker.seed.demo import seed


@pytest.fixture
async def demo_year(session: AsyncSession) -> AsyncIterator[None]:
    """The demo year as of one fixed day (what the pages show depends on the calendar)."""
    with clock.frozen(DEMO_AT):
        await seed(session)
        await seed_cradle(session)
        yield


async def _ok(client: httpx.AsyncClient, path: str) -> str:
    r = await client.get(path)
    assert r.status_code == 200, (path, r.status_code, r.text[:400])
    assert_clean_html(r)
    return r.text


async def test_generator_pages(client, session: AsyncSession, demo_year) -> None:  # type: ignore[no-untyped-def]
    await login(client, "nanhu-chem")
    page = await _ok(client, "/ledger")
    assert "危险废物台账" in page and "在库" in page and "已贮存" in page
    assert re.search(r"\b3\d\d 天", page), "the year-old drums show their age"
    nav = re.findall(r'<a href="(/[a-z/]*)"', page.split("</nav>")[0])
    assert {"/ledger", "/plans", "/declarations"} <= set(nav)
    nanhu = (await session.execute(select(Site).where(Site.name == "南湖精细化工一厂"))).scalar_one()
    stmt = select(WasteContainer).where(WasteContainer.status == "in_storage", WasteContainer.site_id == nanhu.id).limit(3)
    ids = [c.id for c in (await session.execute(stmt)).scalars()]
    sheet = await client.get("/ledger/labels?ids=" + ",".join(map(str, ids)))
    assert sheet.status_code == 200 and sheet.text.count("<svg") >= len(ids) and "数字识别码" in sheet.text
    c = (await session.execute(select(WasteContainer).where(WasteContainer.id == ids[0]))).scalar_one()
    page = await _ok(client, f"/ledger/c/{c.id}")
    assert "记录完整" in page and c.identification_code in page
    page = await _ok(client, "/ledger/manifest?ids=" + ",".join(map(str, ids)))
    assert "生成联单草稿" in page
    page = await _ok(client, "/plans")
    assert "已备案" in page and "330402-" in page
    plan = (await session.execute(select(ManagementPlan).where(ManagementPlan.filing_number.like("330402-%")))).scalars().first()  # type: ignore[union-attr]
    assert plan is not None
    page = await _ok(client, f"/plans/{plan.id}")
    assert "本年转移量与计划" in page and "900-013-11" in page and "修改原因" in page
    await _ok(client, "/plans/new")
    page = await _ok(client, "/declarations")
    assert "已逾期" in page and "已申报" in page
    site = (await session.execute(select(Site).where(Site.id == plan.site_id))).scalar_one()
    m = re.search(r'/declarations/draft\?site_id=[^"]+', page)
    assert m
    page = await _ok(client, m.group(0).replace("&amp;", "&"))
    assert "申报数据" in page and site.name in page
    en = await _ok(client, "/ledger?lang=en")
    assert "Waste ledger" in en and "In storage" in en and 'lang="en"' in en
    en = await _ok(client, f"/plans/{plan.id}")
    assert "Shipped this year against the plan" in en
    await client.get("/ledger?lang=zh-CN")
    # Not for drivers or receivers; a regulator page is not for a generator.
    for path in ("/reg/balance", "/reg/plans", "/reg/declarations", "/r/balance"):
        assert (await client.get(path)).status_code == 403, path


async def test_regulator_pages(client, session: AsyncSession, demo_year) -> None:  # type: ignore[no-untyped-def]
    await login(client, "jiaxing-regulator")
    page = await _ok(client, "/reg/balance")
    assert "企业物料平衡" in page and "嘉兴南湖精细化工有限公司" in page and "海宁" in page
    site = re.search(r'href="(/reg/balance/[0-9a-f-]+)\?year=\d+">嘉兴南湖精细化工', page)
    assert site
    page = await _ok(client, site.group(1))
    assert "<svg" in page and "贮存超期" in page and "产生量远低于计划或历史" in page
    page = await _ok(client, "/reg/plans?status=accepted")
    assert "330402-" in page
    page = await _ok(client, "/reg/declarations")
    assert "逾期未申报" in page and "嘉兴南湖精细化工" in page
    page = await _ok(client, "/reg/alerts?rule=ledger_silent")
    link = re.search(r'href="(/reg/alerts/\d+)"', page)
    assert link
    page = await _ok(client, link.group(1))
    assert "台账长期无产生记录" in page


async def test_haining_sees_only_haining(client, demo_year) -> None:  # type: ignore[no-untyped-def]
    await login(client, "haining-regulator")
    page = await _ok(client, "/reg/balance")
    assert "海宁" in page and "嘉兴南湖精细化工" not in page


async def test_receiver_balance_page(client, demo_year) -> None:  # type: ignore[no-untyped-def]
    await login(client, "jiaxing-incinerator")
    page = await _ok(client, "/r/balance")
    assert "月度利用处置与库存" in page and page.count("<tr>") >= 3
    assert (await client.get("/ledger")).status_code == 403
