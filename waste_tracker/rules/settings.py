"""Rule settings: defaults from the registry, live values in ``rule_setting``, every change audited.

Settings are read on every event, so they are cached in-process for a few seconds; an edit made
through this process clears the cache at once, other workers see it within ``TTL_SECONDS``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Forbidden, Invalid
from waste_tracker.models import RuleSetting, RuleSettingChange
from waste_tracker.rules.catalogue import RULES, SEVERITY_RANK

TTL_SECONDS = 10.0
INTEGER_KEYS = {
    "days",
    "hours",
    "working_days",
    "general_days",
    "trailing_months",
    "remind_days",
    "block",
    "plan_months",
    "minutes",
    "stop_minutes",
    "min_count",
}
FLAG_KEYS = {"block"}  # 0 or 1
# Sane upper bounds per threshold key (a typo must not make the sweep generate millions of rows).
MAX_VALUE = {
    "days": 3650,
    "hours": 8760,
    "working_days": 60,
    "hazardous_km": 2000,
    "general_km": 2000,
    "ratio": 100,
    "extra_km": 2000,
    "percent": 100,
    "kg": 100_000,
    "far_m": 100_000,
    "general_days": 3650,
    "plan_share_percent": 100,
    "trailing_percent": 100,
    "trailing_months": 24,
    "remind_days": 90,
    "plan_months": 24,
    "minutes": 1440,
    "radius_m": 5000,
    "km": 500,
    "factor": 20,
    "kmh": 1000,
    "near_m": 10_000,
    "stop_minutes": 1440,
    "block": 1,
    "min_count": 1000,
}
_cache: tuple[float, dict[str, Effective]] | None = None


@dataclass(frozen=True)
class Effective:
    rule_id: str
    enabled: bool
    severity: str
    thresholds: dict[str, Any]

    @property
    def rank(self) -> int:
        return SEVERITY_RANK[self.severity]


def clear_cache() -> None:
    global _cache
    _cache = None


async def effective_settings(session: AsyncSession) -> dict[str, Effective]:
    global _cache
    now = time.monotonic()
    if _cache is not None and now - _cache[0] < TTL_SECONDS:
        return _cache[1]
    rows = {r.rule_id: r for r in (await session.execute(select(RuleSetting))).scalars()}
    out = {}
    for rid, rule in RULES.items():
        row = rows.get(rid)
        out[rid] = Effective(
            rid,
            row.enabled if row else True,
            row.severity if row else rule.severity,
            {**rule.defaults, **(row.thresholds if row else {})},
        )
    _cache = (now, out)
    return out


async def seed_rule_settings(session: AsyncSession) -> int:
    """Insert a row for every registered rule that has none (new rules); never overwrite."""
    if not RULES:
        return 0
    stmt = (
        insert(RuleSetting)
        .values([{"rule_id": r.id, "enabled": True, "severity": r.severity, "thresholds": r.defaults} for r in RULES.values()])
        .on_conflict_do_nothing(index_elements=["rule_id"])
    )
    res = cast(CursorResult[Any], await session.execute(stmt))  # an INSERT: the driver's cursor result
    clear_cache()
    return res.rowcount or 0


def _validate(rule_id: str, thresholds: dict[str, Any]) -> dict[str, Any]:
    defaults = RULES[rule_id].defaults
    unknown = set(thresholds) - set(defaults)
    if unknown:
        raise Invalid("invalid_thresholds", {"reason": f"unknown keys {sorted(unknown)}", "allowed": sorted(defaults)})
    for k, v in thresholds.items():
        if k in FLAG_KEYS:
            if isinstance(v, bool) or v not in (0, 1):
                raise Invalid("invalid_thresholds", {"reason": f"{k} must be 0 or 1", "key": k})
            thresholds[k] = int(v)
            continue
        if isinstance(v, bool) or not isinstance(v, int | float) or not (0 < v <= MAX_VALUE.get(k, 1_000_000)):
            raise Invalid("invalid_thresholds", {"reason": f"{k} must be a positive number up to {MAX_VALUE.get(k)}", "key": k})
        if k in INTEGER_KEYS and not (isinstance(v, int) or float(v).is_integer()):
            raise Invalid("invalid_thresholds", {"reason": f"{k} must be a whole number", "key": k})
        if k in INTEGER_KEYS:
            thresholds[k] = int(v)
    return thresholds


async def update_rule(
    session: AsyncSession,
    actor: Principal,
    rule_id: str,
    *,
    enabled: bool | None = None,
    severity: str | None = None,
    thresholds: dict[str, Any] | None = None,
) -> RuleSetting:
    """A city regulator (or admin) edits a rule; the old and new values are recorded."""
    if not (actor.is_admin or actor.is_city_regulator):
        raise Forbidden("city_regulator_required", {"rule_id": rule_id})
    if rule_id not in RULES:
        raise Invalid("unknown_rule", {"rule_id": rule_id})
    await seed_rule_settings(session)
    row = (await session.execute(select(RuleSetting).where(RuleSetting.rule_id == rule_id).with_for_update())).scalar_one()
    old = {"enabled": row.enabled, "severity": row.severity, "thresholds": dict(row.thresholds)}
    if enabled is not None:
        row.enabled = enabled
    if severity is not None:
        if severity not in SEVERITY_RANK:
            raise Invalid("validation_error", {"field": "severity", "allowed": list(SEVERITY_RANK)})
        row.severity = severity
    if thresholds is not None:
        row.thresholds = {**row.thresholds, **_validate(rule_id, thresholds)}
    new = {"enabled": row.enabled, "severity": row.severity, "thresholds": dict(row.thresholds)}
    if new != old:
        row.updated_at = clock.now()
        row.updated_by = actor.user_id
        session.add(RuleSettingChange(rule_id=rule_id, changed_by=actor.user_id, old=old, new=new))
    await session.flush()
    clear_cache()
    return row


async def list_changes(session: AsyncSession, rule_id: str | None = None) -> list[RuleSettingChange]:
    stmt = select(RuleSettingChange).order_by(col(RuleSettingChange.id).desc())
    if rule_id:
        stmt = stmt.where(RuleSettingChange.rule_id == rule_id)
    return list((await session.execute(stmt.limit(500))).scalars())
