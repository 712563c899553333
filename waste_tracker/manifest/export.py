"""The manifest list as a file (CSV or XLSX) for the reader's scope and filters: one row per
manifest, the parties as submitted, quantities in tonnes, times in Asia/Shanghai."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker import exports, units
from waste_tracker.auth.principal import Principal
from waste_tracker.manifest import queries
from waste_tracker.manifest.parties import party_names
from waste_tracker.models import Manifest

MAX_ROWS = 50_000
COLUMNS = {
    "zh-CN": [
        "联单编号", "状态", "类别", "移出人", "产生区县", "承运人", "接受人", "接收区县", "计划转移日期",
        "申报（吨）", "起运称重（吨）", "接收（吨）", "接受（吨）", "处置（吨）", "提交时间", "起运时间", "送达时间", "接收时间",
    ],
    "en": [
        "Number", "Status", "Kind", "Generator", "Generator county", "Carrier", "Receiver", "Receiver county",
        "Planned pickup", "Declared (t)", "Picked up (t)", "Received (t)", "Accepted (t)", "Disposed (t)", "Submitted",
        "Picked up", "Delivered", "Received",
    ],
}  # fmt: skip


def _t(kg: Any) -> Any:
    return None if kg is None else units.kg_to_t(kg)


async def rows(
    session: AsyncSession, actor: Principal, f: queries.ManifestFilter, statuses: dict[str, str]
) -> list[Sequence[Any]]:
    """Every manifest the actor reads under ``f``, newest first (at most ``MAX_ROWS``)."""
    found: list[Manifest] = []
    cursor = None
    while len(found) < MAX_ROWS:
        page, cursor = await queries.list_manifests(session, actor, f, cursor, 1000)
        found += page
        if cursor is None:
            break
    names = await party_names(session, found)
    return [
        [
            m.number or "",
            statuses.get(m.status, m.status),
            m.kind,
            names[m.id]["generator"],
            m.generator_county,
            names[m.id]["carrier"],
            names[m.id]["receiver"],
            m.receiver_county,
            m.planned_pickup_date.isoformat(),
            _t(m.declared_kg),
            _t(m.picked_up_kg),
            _t(m.received_kg),
            _t(m.accepted_kg),
            _t(m.disposed_kg),
            m.submitted_at,
            m.picked_up_at,
            m.delivered_at,
            m.received_at,
        ]
        for m in found[:MAX_ROWS]
    ]


async def export(
    session: AsyncSession, actor: Principal, f: queries.ManifestFilter, fmt: str, lang: str, statuses: dict[str, str]
) -> bytes:
    cols = COLUMNS.get(lang, COLUMNS["zh-CN"])
    data = await rows(session, actor, f, statuses)
    return exports.to_csv(cols, data) if fmt == "csv" else exports.to_xlsx(cols, data, "联单" if lang != "en" else "Manifests")
