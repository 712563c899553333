"""The manifest list as CSV and XLSX: the reader's scope, the right columns, files that open."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.manifest.conftest import Flow, World


async def test_csv_and_xlsx_of_the_readers_manifests(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.delivered()
    await flow.receive(m, kg="1480")
    other = await flow.submitted()
    r = await client.get("/api/v1/manifests/export.xlsx", headers=f.auth(world.gen_user) | {"Accept-Language": "zh-CN"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("联单编号", "状态", "类别", "移出人")
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == {m["number"], other["number"]}
    got = by_number[m["number"]]
    assert got[1] == "已接收" and got[3] == "测试化工有限公司" and got[6] == "测试焚烧厂"
    assert got[9] == 1.5 and got[11] == 1.48  # declared and received, in tonnes, as numbers
    # CSV: UTF-8 with a BOM, the same rows; filters apply.
    r = await client.get(
        "/api/v1/manifests/export.csv", params={"status": "submitted"}, headers=f.auth(world.gen_user) | {"Accept-Language": "en"}
    )
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Number,Status,Kind") and len(lines) == 2 and lines[1].startswith(other["number"])
    # Another enterprise's file holds none of them; a stranger gets no file.
    r = await client.get("/api/v1/manifests/export.csv", headers=f.auth(world.other_generator_user))
    assert r.status_code == 200 and len(r.content.decode("utf-8-sig").splitlines()) == 1
    assert (await client.get("/api/v1/manifests/export.csv")).status_code == 401
    assert (await client.get("/api/v1/manifests/export.pdf", headers=f.auth(world.gen_user))).status_code == 422
