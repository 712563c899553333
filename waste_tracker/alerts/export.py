"""The alert queue as a file (CSV or XLSX) for the reader's scope and filters.

The rows are the queue's own (``queries.list_alerts``: the same scope, filters and order — most
severe first, then oldest), named for people: the rule's title, the counties, the parties and
sites as the manifest recorded them at submission, the assignee; times in Asia/Shanghai.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import exports
from waste_tracker.alerts import queries
from waste_tracker.auth.principal import Principal
from waste_tracker.manifest import parties
from waste_tracker.manifest import queries as manifest_queries
from waste_tracker.models import Alert, Manifest, Site
from waste_tracker.registry.names import jurisdiction_names, organisation_names, user_names
from waste_tracker.rules import catalogue as rules

MAX_ROWS = 100_000
PAGE = 2_000
COLUMNS = {
    "zh-CN": [
        "预警编号", "规则", "规则代码", "严重程度", "状态", "联单编号", "产生区县", "接收区县", "事件发生区县",
        "移出人", "产生场所", "承运人", "接受人", "接收场所", "发现时间", "最近发现时间", "发现次数",
        "经办人", "关闭时间", "证据",
    ],
    "en": [
        "Alert", "Rule", "Rule code", "Severity", "Status", "Manifest number", "Generator county", "Receiver county",
        "Event counties", "Generator", "Generator site", "Carrier", "Receiver", "Receiver site", "Raised at",
        "Last seen", "Occurrences", "Assignee", "Closed at", "Evidence",
    ],
}  # fmt: skip
SHEET = {"zh-CN": "预警", "en": "Alerts"}
_LIST_SEP = {"zh-CN": "、", "en": ", "}


async def _site_names(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    return dict((await session.execute(select(Site.id, Site.name).where(col(Site.id).in_(sorted(ids))))).all())


async def _page_rows(
    session: AsyncSession, page: list[Alert], lang: str, severities: Mapping[str, str], statuses: Mapping[str, str]
) -> list[Sequence[Any]]:
    """One page of alerts as rows: every kind of name is read once per page, not once per row."""
    manifests = await manifest_queries.manifests_by_id(session, [a.manifest_id for a in page])
    counties = await jurisdiction_names(
        session, [c for a in page for c in (a.generator_county, a.receiver_county, *a.event_counties)], lang
    )
    orgs = await organisation_names(session, [o for a in page for o in (a.generator_org_id, a.carrier_org_id, a.receiver_org_id)])
    # A manifest's parties as it recorded them at submission win over today's registry names.
    for recorded in manifests.values():
        orgs |= parties.names_by_organisation(recorded)
    snapshot_sites = {
        m.id: {side: str((m.parties or {}).get(side, {}).get("site_name") or "") for side in ("generator", "receiver")}
        for m in manifests.values()
    }
    live_sites = await _site_names(
        session,
        {s for m in manifests.values() for s in (m.generator_site_id, m.receiver_site_id)},
    )
    users = await user_names(session, [a.assignee_id for a in page])
    sep = _LIST_SEP.get(lang, _LIST_SEP["zh-CN"])

    def site(m: Manifest | None, side: str) -> str:
        if m is None:
            return ""
        return snapshot_sites[m.id][side] or live_sites.get(
            m.generator_site_id if side == "generator" else m.receiver_site_id, ""
        )

    def org(o: uuid.UUID | None) -> str:
        return orgs.get(o, "") if o else ""

    def county(c: int | None) -> str:
        return counties.get(c, str(c)) if c is not None else ""

    out: list[Sequence[Any]] = []
    for a in page:
        m = manifests.get(a.manifest_id) if a.manifest_id else None
        out.append(
            [
                a.id,
                rules.title(a.rule_id, lang),
                a.rule_id,
                severities.get(a.severity, a.severity),
                statuses.get(a.status, a.status),
                (m.number if m else None) or a.evidence.get("number") or "",
                county(a.generator_county),
                county(a.receiver_county),
                sep.join(county(c) for c in a.event_counties or ()),
                org(a.generator_org_id),
                site(m, "generator"),
                org(a.carrier_org_id),
                org(a.receiver_org_id),
                site(m, "receiver"),
                a.first_seen_at,
                a.last_seen_at,
                a.occurrences,
                users.get(a.assignee_id, "") if a.assignee_id else "",
                a.closed_at,
                json.dumps(a.evidence, ensure_ascii=False, sort_keys=True),
            ]
        )
    return out


async def rows(
    session: AsyncSession,
    actor: Principal,
    f: queries.AlertFilter,
    lang: str,
    severities: Mapping[str, str],
    statuses: Mapping[str, str],
) -> list[Sequence[Any]]:
    """Every alert the actor reads under ``f``, in the queue's order (at most ``MAX_ROWS``).
    ``severities`` and ``statuses`` name the codes in ``lang`` (the caller's catalogue)."""
    out: list[Sequence[Any]] = []
    cursor = None
    while len(out) < MAX_ROWS:
        page, cursor = await queries.list_alerts(session, actor, f, cursor, min(PAGE, MAX_ROWS - len(out)))
        out += await _page_rows(session, page, lang, severities, statuses)
        if cursor is None:
            break
    return out


async def export(
    session: AsyncSession,
    actor: Principal,
    f: queries.AlertFilter,
    fmt: str,
    lang: str,
    severities: Mapping[str, str],
    statuses: Mapping[str, str],
) -> bytes:
    cols = COLUMNS.get(lang, COLUMNS["zh-CN"])
    data = await rows(session, actor, f, lang, severities, statuses)
    return exports.to_csv(cols, data) if fmt == "csv" else exports.to_xlsx(cols, data, SHEET.get(lang, SHEET["zh-CN"]))
