"""At submission, a manifest follows the year's accepted plan (危险废物转移管理办法 Art. 14): each
line's code, the receiver and the method are among the plan's expected transfers.

The city chooses (rule ``manifest_outside_plan``, threshold ``block``): 1 refuses the submission
with a specific 422 naming the plan; 0 lets it through and raises an alert. With no accepted plan
the submission is refused when blocking; when warning, nothing fires here (the missing plan is
the ``plan_not_filed`` rule's business).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker.errors import Invalid
from waste_tracker.models import Manifest, ManifestLine
from waste_tracker.plan.service import plan_for
from waste_tracker.rules.settings import effective_settings


def outside(body: dict[str, Any], m: Manifest, lines: Sequence[ManifestLine]) -> list[dict[str, Any]]:
    """The lines the plan does not cover, each with why (pure)."""
    transfers = body.get("transfers") or []
    to_receiver = [t for t in transfers if str(t["receiver_site_id"]) == str(m.receiver_site_id)]
    with_method = [t for t in to_receiver if t["method_code"] == m.planned_method_code]
    out = []
    for ln in lines:
        if any(ln.waste_code in t["waste_codes"] for t in with_method):
            continue
        if not any(w["waste_code"] == ln.waste_code for w in body.get("wastes") or []):
            reason = "code_not_planned"
        elif not to_receiver:
            reason = "receiver_not_planned"
        elif not with_method:
            reason = "method_not_planned"
        else:
            reason = "code_not_planned_for_receiver"
        out.append({"line_no": ln.line_no, "waste_code": ln.waste_code, "reason": reason})
    return out


async def against_plan(session: AsyncSession, m: Manifest, lines: Sequence[ManifestLine], year: int) -> dict[str, Any] | None:
    """The plan record for the submitted event, or None when the rule is off; raises when the city
    blocks and the manifest is outside the plan."""
    s = (await effective_settings(session))["manifest_outside_plan"]
    if not s.enabled:
        return None
    block = bool(int(s.thresholds.get("block", 0)))
    p = await plan_for(session, m.generator_site_id, year, m.kind)
    if p is None or p.accepted_body is None:
        if block:
            raise Invalid("no_filed_management_plan", {"site_id": str(m.generator_site_id), "year": year, "kind": m.kind})
        return {"plan_id": str(p.id) if p else None, "filing_number": None, "version": None, "outside": []}
    miss = outside(p.accepted_body, m, lines)
    if miss and block:
        raise Invalid(
            "outside_management_plan",
            {"filing_number": p.filing_number, "plan_id": str(p.id), "version": p.accepted_version, "lines": miss},
        )
    return {"plan_id": str(p.id), "filing_number": p.filing_number, "version": p.accepted_version, "outside": miss}
