"""Flows and KPIs as files (CSV or XLSX): the rows ``service.flows`` and ``service.kpis`` return for
the same period, filters and reader (so the same scope and the same refusals), with the counties
named in the reader's language, tonnes as numbers and shares in per cent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker import exports
from waste_tracker.auth.principal import Principal
from waste_tracker.registry.names import jurisdiction_names
from waste_tracker.rules import catalogue as rules
from waste_tracker.stats import service

FLOW_COLUMNS = {
    "zh-CN": [
        "产生区县代码", "产生区县", "产生城市", "接收区县代码", "接收区县", "接收城市", "联单数", "吨位（吨）", "流向",
    ],
    "en": [
        "From county code", "From county", "From city", "To county code", "To county", "To city", "Manifests",
        "Tonnes", "Flow",
    ],
}  # fmt: skip
KPI_COLUMNS = {
    "zh-CN": [
        "区县代码", "区县", "联单数", "吨位（吨）", "已办结联单", "按时接收率（%）", "无害化处置率（%）", "未处理预警",
        "未处理预警（按规则）",
    ],
    "en": [
        "County code", "County", "Manifests", "Tonnes", "Completed", "Received on time (%)", "Disposal share (%)",
        "Open alerts", "Open alerts by rule",
    ],
}  # fmt: skip
SHEETS = {"flows": {"zh-CN": "流向", "en": "Flows"}, "kpis": {"zh-CN": "区县指标", "en": "County KPIs"}}
_SEP = {"zh-CN": "；", "en": "; "}


def _lang(lang: str) -> str:
    return lang if lang in FLOW_COLUMNS else "zh-CN"


def _pct(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 2)


def _file(kind: str, columns: Sequence[str], data: list[Sequence[Any]], fmt: str, lang: str) -> bytes:
    return exports.to_csv(columns, data) if fmt == "csv" else exports.to_xlsx(columns, data, SHEETS[kind][lang])


async def flow_rows(
    session: AsyncSession,
    actor: Principal,
    date_from: date,
    date_to: date,
    kind: str | None,
    lang: str,
    scopes: Mapping[str, str],
) -> list[Sequence[Any]]:
    """One row per county pair, heaviest first. ``scopes`` names ``in_county``, ``out_of_county``
    and ``out_of_city`` in ``lang`` (the caller's catalogue)."""
    found = await service.flows(session, actor, date_from, date_to, kind)
    names = await jurisdiction_names(
        session,
        [c for r in found for c in (r["generator_county"], r["receiver_county"], r["generator_city"], r["receiver_city"])],
        lang,
    )

    def scope(r: Mapping[str, Any]) -> str:
        key = "out_of_city" if r["out_of_city"] else "out_of_county" if r["out_of_county"] else "in_county"
        return scopes.get(key, key)

    return [
        [
            r["generator_county"],
            names.get(r["generator_county"], ""),
            names.get(r["generator_city"], ""),
            r["receiver_county"],
            names.get(r["receiver_county"], ""),
            names.get(r["receiver_city"], ""),
            r["manifests"],
            r["tonnes"],
            scope(r),
        ]
        for r in found
    ]


async def kpi_rows(
    session: AsyncSession, actor: Principal, date_from: date, date_to: date, county: int | None, lang: str
) -> list[Sequence[Any]]:
    """One row per county, by adcode; the open alerts counted in all and per rule (by its title)."""
    sep = _SEP.get(lang, _SEP["zh-CN"])
    return [
        [
            r["county"],
            (r["name_en"] or r["name"]) if lang == "en" else r["name"],
            r["manifests"],
            r["tonnes"],
            r["completed"],
            _pct(r["on_time_share"]),
            _pct(r["disposal_share"]),
            sum(r["open_alerts_by_rule"].values()),
            sep.join(f"{rules.title(rid, lang)}: {n}" for rid, n in sorted(r["open_alerts_by_rule"].items())),
        ]
        for r in await service.kpis(session, actor, date_from, date_to, county)
    ]


async def export_flows(
    session: AsyncSession,
    actor: Principal,
    date_from: date,
    date_to: date,
    kind: str | None,
    fmt: str,
    lang: str,
    scopes: Mapping[str, str],
) -> bytes:
    lang = _lang(lang)
    data = await flow_rows(session, actor, date_from, date_to, kind, lang, scopes)
    return _file("flows", FLOW_COLUMNS[lang], data, fmt, lang)


async def export_kpis(
    session: AsyncSession, actor: Principal, date_from: date, date_to: date, county: int | None, fmt: str, lang: str
) -> bytes:
    lang = _lang(lang)
    data = await kpi_rows(session, actor, date_from, date_to, county, lang)
    return _file("kpis", KPI_COLUMNS[lang], data, fmt, lang)
