"""The regulators' lists as files (issue #14): alerts, flows and KPIs as CSV (UTF-8 with a BOM) and
XLSX hold exactly the rows the JSON endpoints return for the same filters and reader, under
column titles in the reader's language; the same scope and the same refusals."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from tests import factories as f
from tests.manifest.conftest import Flow, World, build_world, today
from waste_tracker import clock
from waste_tracker.alerts import export as alert_export
from waste_tracker.models.registry import Jurisdiction
from waste_tracker.rules import catalogue as rules
from waste_tracker.stats import export as stats_export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HAINING = 330481


@pytest.fixture
async def world(session: AsyncSession) -> World:
    """The manifest tests' small city (a generator in 南湖, receivers in 秀洲 and elsewhere)."""
    return await build_world(session)


@pytest.fixture
def flow(client, world: World) -> Flow:  # type: ignore[no-untyped-def]
    return Flow(client, world)


def xlsx_rows(r: Any) -> list[tuple[Any, ...]]:
    """The workbook opens, and its one sheet's rows (header first)."""
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == XLSX
    assert r.headers["content-disposition"].startswith("attachment; filename=") and ".xlsx" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert len(wb.worksheets) == 1
    return [tuple("" if v is None else v for v in row) for row in wb.worksheets[0].iter_rows(values_only=True)]


def csv_rows(r: Any) -> list[list[str]]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the Chinese text as UTF-8
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))


def assert_json_error(r: Any, status: int, code: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"code", "message", "details"} and body["code"] == code and body["message"]


def shanghai(iso: str) -> datetime:
    return clock.local(datetime.fromisoformat(iso)).replace(tzinfo=None)


async def names(session: AsyncSession, lang: str = "zh-CN") -> dict[int, str]:
    rows = (await session.execute(select(Jurisdiction.adcode, Jurisdiction.name, Jurisdiction.name_en))).all()
    return {a: (en or n) if lang == "en" else n for a, n, en in rows}


async def queue(client: Any, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every page of GET /alerts for these filters."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        r = await client.get(
            "/api/v1/alerts", params=params | {"limit": 2} | ({"cursor": cursor} if cursor else {}), headers=headers
        )
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if not cursor:
            return items


async def _alerts(flow: Flow) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Three loads from 南湖: one dropped off in 上海 (critical), one picked up ~2 km from the site
    (a warning, 南湖's business only), one dropped off inside 海宁 (海宁's business too)."""
    shanghai_load = await flow.submitted()
    assert (await flow.scan(shanghai_load, "pickup", f.POINTS[330402])).status_code == 201
    assert (await flow.scan(shanghai_load, "dropoff", f.POINTS[310116])).status_code == 201
    lon, lat = f.POINTS[330402]
    stray = await flow.submitted()
    assert (await flow.scan(stray, "pickup", (lon + 0.02, lat))).status_code == 201
    haining = await flow.submitted()
    assert (await flow.scan(haining, "pickup", f.POINTS[330402])).status_code == 201
    assert (await flow.scan(haining, "dropoff", f.POINTS[HAINING])).status_code == 201
    return shanghai_load, stray, haining


async def test_alert_export_is_the_readers_queue(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    shanghai_load, stray, haining_load = await _alerts(flow)
    city = f.auth(world.city_regulator)
    expected = await queue(client, city)
    assert len(expected) >= 5

    # XLSX in Chinese (the default): the queue's rows in the queue's order, named for people.
    rows = xlsx_rows(await client.get("/api/v1/alerts/export.xlsx", headers=city))
    assert rows[0] == tuple(alert_export.COLUMNS["zh-CN"])
    assert rows[0][:6] == ("预警编号", "规则", "规则代码", "严重程度", "状态", "联单编号")
    assert [r[0] for r in rows[1:]] == [a["id"] for a in expected]
    col_of = {c: i for i, c in enumerate(rows[0])}
    county = await names(session)
    numbers = {m["id"]: m["number"] for m in (shanghai_load, stray, haining_load)}
    for row, a in zip(rows[1:], expected, strict=True):
        assert row[col_of["规则"]] == a["title"] == rules.title(a["rule_id"], "zh-CN")
        assert row[col_of["规则代码"]] == a["rule_id"]
        assert row[col_of["严重程度"]] == {"critical": "严重", "warning": "警告", "info": "提示"}[a["severity"]]
        assert row[col_of["状态"]] == "待处理"
        assert row[col_of["联单编号"]] == numbers[a["manifest_id"]]
        assert row[col_of["产生区县"]] == county[a["generator_county"]] == "南湖区"
        assert row[col_of["接收区县"]] == county[a["receiver_county"]]
        assert row[col_of["事件发生区县"]] == "、".join(county[c] for c in a["event_counties"])
        assert row[col_of["移出人"]] == "测试化工有限公司" and row[col_of["产生场所"]] == world.gen_site.name
        assert row[col_of["承运人"]] == "测试危运有限公司"
        assert row[col_of["接受人"]] == "测试焚烧厂" and row[col_of["接收场所"]] == world.rcv_site.name
        assert abs((row[col_of["发现时间"]] - shanghai(a["first_seen_at"])).total_seconds()) < 1  # Asia/Shanghai
        assert row[col_of["发现次数"]] == a["occurrences"]
        assert row[col_of["经办人"]] == "" and row[col_of["关闭时间"]] == ""

    # CSV in English (?lang=, as on every API route), with the list's filters.
    params = {"severity": "critical", "manifest_id": shanghai_load["id"], "lang": "en"}
    crit = await queue(client, city, **params)
    assert crit and {a["severity"] for a in crit} == {"critical"}
    rows_csv = csv_rows(await client.get("/api/v1/alerts/export.csv", params=params, headers=city))
    assert rows_csv[0] == alert_export.COLUMNS["en"]
    assert rows_csv[0][:5] == ["Alert", "Rule", "Rule code", "Severity", "Status"]
    assert [(int(r[0]), r[1], r[3], r[4]) for r in rows_csv[1:]] == [(a["id"], a["title"], "Critical", "Open") for a in crit]
    assert "Hazardous waste left the city" in {r[1] for r in rows_csv[1:]}
    raised = rows_csv[1][rows_csv[0].index("Raised at")]
    assert raised == clock.local(datetime.fromisoformat(crit[0]["first_seen_at"])).strftime("%Y-%m-%d %H:%M:%S")
    # Accept-Language works too.
    en = csv_rows(await client.get("/api/v1/alerts/export.csv", headers=city | {"Accept-Language": "en"}))
    assert en[0] == alert_export.COLUMNS["en"] and len(en) == len(expected) + 1

    # The assignee, by name, and the assignee filter the queue has.
    aid = crit[0]["id"]
    r = await client.post(f"/api/v1/alerts/{aid}/assign", headers=city, json={"assignee_id": str(world.nanhu_regulator.id)})
    assert r.status_code == 200, r.text
    mine = xlsx_rows(
        await client.get("/api/v1/alerts/export.xlsx", params={"assignee_id": str(world.nanhu_regulator.id)}, headers=city)
    )
    assert [r[0] for r in mine[1:]] == [aid]
    assert mine[1][col_of["经办人"]] == (world.nanhu_regulator.display_name or world.nanhu_regulator.username)

    # A county regulator's file holds its county's alerts and nothing else.
    haining = f.auth(world.haining_regulator)
    theirs = await queue(client, haining)
    assert theirs and {a["manifest_id"] for a in theirs} == {haining_load["id"]}
    rows = xlsx_rows(await client.get("/api/v1/alerts/export.xlsx", headers=haining))
    assert [r[0] for r in rows[1:]] == [a["id"] for a in theirs]
    assert all(HAINING in a["event_counties"] for a in theirs)
    assert not {r[col_of["联单编号"]] for r in rows[1:]} & {shanghai_load["number"], stray["number"]}
    # Filtering by the generator's county (南湖) still stays inside 海宁's scope, as the queue does.
    by_nanhu = await queue(client, haining, county=330402)
    rows = csv_rows(await client.get("/api/v1/alerts/export.csv", params={"county": 330402}, headers=haining))
    assert [int(r[0]) for r in rows[1:]] == [a["id"] for a in by_nanhu] == [a["id"] for a in theirs]

    # Enterprises read their own, read-only: the same file as their queue; another one's is empty.
    own = await queue(client, f.auth(world.gen_user))
    rows = xlsx_rows(await client.get("/api/v1/alerts/export.xlsx", headers=f.auth(world.gen_user)))
    assert [r[0] for r in rows[1:]] == [a["id"] for a in own] and own
    assert csv_rows(await client.get("/api/v1/alerts/export.csv", headers=f.auth(world.other_generator_user))) == [
        alert_export.COLUMNS["zh-CN"]
    ]

    # No account, no file; a format it does not make, a JSON error.
    assert_json_error(await client.get("/api/v1/alerts/export.csv"), 401, "unauthenticated")
    assert_json_error(await client.get("/api/v1/alerts/export.pdf", headers=city), 422, "validation_error")
    assert_json_error(
        await client.get("/api/v1/alerts/export.csv", params={"county": "x"}, headers=city), 422, "validation_error"
    )


async def _loads(client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    """南湖 → 秀洲: one load received and disposed (1.5 t), one picked up (1 t), and an open alert."""
    m = await flow.delivered()
    assert (await flow.receive(m, kg="1500")).status_code == 200
    r = await client.post(
        f"/api/v1/manifests/{m['id']}/dispose",
        headers=f.auth(world.rcv_user),
        json={"method_code": "D10", "disposed_on": str(today()), "quantity": "1500"},
    )
    assert r.status_code == 200, r.text
    m2 = await flow.submitted()
    lon, lat = f.POINTS[330402]
    assert (await flow.scan(m2, "pickup", (lon + 0.02, lat), quantity_kg="1000")).status_code == 201  # a geofence warning


async def test_flow_export_is_the_flows(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    await _loads(client, world, flow)
    period = {"date_from": str(today()), "date_to": str(today())}
    city = f.auth(world.city_regulator)
    expected = (await client.get("/api/v1/stats/flows", params=period, headers=city)).json()
    assert [(r["generator_county"], r["receiver_county"], r["manifests"], r["tonnes"]) for r in expected] == [
        (330402, 330411, 2, 2.5)
    ]
    zh = await names(session)
    rows = xlsx_rows(await client.get("/api/v1/stats/flows/export.xlsx", params=period, headers=city))
    assert rows[0] == tuple(stats_export.FLOW_COLUMNS["zh-CN"])
    assert rows[0][:3] == ("产生区县代码", "产生区县", "产生城市")
    scope = {(False, False): "县内", (False, True): "出县", (True, True): "出市"}
    assert rows[1:] == [
        (
            r["generator_county"],
            zh[r["generator_county"]],
            zh[r["generator_city"]],
            r["receiver_county"],
            zh[r["receiver_county"]],
            zh[r["receiver_city"]],
            r["manifests"],
            r["tonnes"],
            scope[(r["out_of_city"], r["out_of_county"])],
        )
        for r in expected
    ]
    assert rows[1][1:3] == ("南湖区", "嘉兴市") and rows[1][-1] == "出县"

    # CSV in English with the kind filter; the other kind has no rows in either.
    en = await names(session, "en")
    rows_csv = csv_rows(
        await client.get(
            "/api/v1/stats/flows/export.csv", params=period | {"kind": "hazardous"}, headers=city | {"Accept-Language": "en"}
        )
    )
    assert rows_csv[0] == stats_export.FLOW_COLUMNS["en"]
    assert rows_csv[1:] == [["330402", en[330402], en[330400], "330411", en[330411], en[330400], "2", "2.5", "Out of the county"]]
    general = period | {"kind": "general"}
    assert (await client.get("/api/v1/stats/flows", params=general, headers=city)).json() == []
    assert csv_rows(await client.get("/api/v1/stats/flows/export.csv", params=general, headers=city))[1:] == []

    # 海宁 sees no flow of 南湖's; an enterprise is refused here as it is by the JSON endpoint.
    haining = f.auth(world.haining_regulator)
    assert (await client.get("/api/v1/stats/flows", params=period, headers=haining)).json() == []
    assert xlsx_rows(await client.get("/api/v1/stats/flows/export.xlsx", params=period, headers=haining))[1:] == []
    gen = f.auth(world.gen_user)
    assert_json_error(await client.get("/api/v1/stats/flows", params=period, headers=gen), 403, "forbidden")
    assert_json_error(await client.get("/api/v1/stats/flows/export.xlsx", params=period, headers=gen), 403, "forbidden")
    # The same period checks, the same missing-parameter answer, a JSON error for a bad format.
    backwards = {"date_from": "2026-02-01", "date_to": "2026-01-01"}
    assert_json_error(await client.get("/api/v1/stats/flows/export.csv", params=backwards, headers=city), 422, "validation_error")
    assert_json_error(await client.get("/api/v1/stats/flows/export.csv", headers=city), 422, "validation_error")
    assert_json_error(await client.get("/api/v1/stats/flows/export.ods", params=period, headers=city), 422, "validation_error")
    assert_json_error(await client.get("/api/v1/stats/flows/export.csv", params=period), 401, "unauthenticated")


async def test_kpi_export_is_the_kpis(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    await _loads(client, world, flow)
    period = {"date_from": str(today()), "date_to": str(today())}
    city = f.auth(world.city_regulator)
    expected = (await client.get("/api/v1/stats/kpis", params=period, headers=city)).json()
    nanhu = next(r for r in expected if r["county"] == 330402)
    assert nanhu["manifests"] == 2 and nanhu["open_alerts_by_rule"].get("scan_outside_geofence") == 1

    def row(r: dict[str, Any], lang: str) -> tuple[Any, ...]:
        sep = "；" if lang == "zh-CN" else "; "
        return (
            r["county"],
            r["name_en"] if lang == "en" else r["name"],
            r["manifests"],
            r["tonnes"],
            r["completed"],
            "" if r["on_time_share"] is None else round(r["on_time_share"] * 100, 2),
            "" if r["disposal_share"] is None else round(r["disposal_share"] * 100, 2),
            sum(r["open_alerts_by_rule"].values()),
            sep.join(f"{rules.title(k, lang)}: {n}" for k, n in sorted(r["open_alerts_by_rule"].items())),
        )

    rows = xlsx_rows(await client.get("/api/v1/stats/kpis/export.xlsx", params=period, headers=city))
    assert rows[0] == tuple(stats_export.KPI_COLUMNS["zh-CN"])
    assert rows[0][:4] == ("区县代码", "区县", "联单数", "吨位（吨）")
    assert rows[1:] == [row(r, "zh-CN") for r in expected]
    got = next(r for r in rows[1:] if r[0] == 330402)
    assert got[1] == "南湖区" and got[5] == 100.0 and got[6] == 100.0 and got[7] >= 1
    assert rules.title("scan_outside_geofence", "zh-CN") + ": 1" in got[8]

    # CSV in English, for one county (the JSON endpoint's own parameter).
    one = period | {"county": 330402, "lang": "en"}
    expected_one = (await client.get("/api/v1/stats/kpis", params=one, headers=city)).json()
    rows_csv = csv_rows(await client.get("/api/v1/stats/kpis/export.csv", params=one, headers=city))
    assert rows_csv[0] == stats_export.KPI_COLUMNS["en"]
    assert rows_csv[1:] == [[str(v) for v in row(r, "en")] for r in expected_one]
    assert len(rows_csv) == 2 and rows_csv[1][1] == nanhu["name_en"]

    # A county outside the regulator's jurisdiction is refused in both; so is an enterprise.
    haining = f.auth(world.haining_regulator)
    for url in ("/api/v1/stats/kpis", "/api/v1/stats/kpis/export.xlsx"):
        assert_json_error(await client.get(url, params=period | {"county": 330402}, headers=haining), 403, "outside_jurisdiction")
        assert_json_error(await client.get(url, params=period, headers=f.auth(world.gen_user)), 403, "forbidden")
    theirs = (await client.get("/api/v1/stats/kpis", params=period, headers=haining)).json()
    assert xlsx_rows(await client.get("/api/v1/stats/kpis/export.xlsx", params=period, headers=haining))[1:] == [
        row(r, "zh-CN") for r in theirs
    ]
    assert 330402 not in {r["county"] for r in theirs}
    assert_json_error(await client.get("/api/v1/stats/kpis/export.json", params=period, headers=city), 422, "validation_error")
