"""The rules: their live settings (city regulators edit them; every change is recorded) and the sweep
that runs the time-based ones now."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from api.deps import ANY_USER, PrincipalDep, SessionDep, permission
from api.errors import lang_of
from schemas.common import ERROR_RESPONSES
from schemas.rules import RuleChangePublic, RulePublic, RuleUpdate, SweepPublic
from waste_tracker.rules.catalogue import RULES, Rule, explain
from waste_tracker.rules.settings import Effective, effective_settings, list_changes, update_rule
from waste_tracker.rules.sweep import run_sweep

router = APIRouter(prefix="/api/v1", tags=["rules"], responses=ERROR_RESPONSES)


def _public(r: Rule, s: Effective, lang: str) -> RulePublic:
    return RulePublic(
        id=r.id,
        trigger=r.trigger,
        enabled=s.enabled,
        severity=s.severity,
        thresholds=s.thresholds,
        defaults=r.defaults,
        title=r.title.get(lang, r.id),
        explanation=explain(r.id, lang, s.thresholds),
    )


@router.get("/rules", response_model=list[RulePublic], openapi_extra=ANY_USER)
async def list_rules(request: Request, principal: PrincipalDep, session: SessionDep) -> list[RulePublic]:
    lang = lang_of(request)
    settings = await effective_settings(session)
    return [_public(r, settings[r.id], lang) for r in RULES.values()]


@router.patch(
    "/rules/{rule_id}",
    response_model=RulePublic,
    openapi_extra=permission("regulator", "admin", note="city regulators only; every change is recorded"),
)
async def patch_rule(
    rule_id: str, body: RuleUpdate, request: Request, principal: PrincipalDep, session: SessionDep
) -> RulePublic:
    await update_rule(session, principal, rule_id, enabled=body.enabled, severity=body.severity, thresholds=body.thresholds)
    return _public(RULES[rule_id], (await effective_settings(session))[rule_id], lang_of(request))


@router.get("/rules/changes", response_model=list[RuleChangePublic], openapi_extra=permission("regulator", "admin"))
async def rule_changes(
    principal: PrincipalDep, session: SessionDep, rule_id: str | None = Query(default=None, max_length=48)
) -> list[RuleChangePublic]:
    principal.require("regulator", "admin")
    return [RuleChangePublic.model_validate(c) for c in await list_changes(session, rule_id)]


@router.post("/sweep", response_model=SweepPublic, openapi_extra=permission("admin", note="runs all time-based rules now"))
async def sweep_now(principal: PrincipalDep, session: SessionDep) -> SweepPublic:
    principal.require("admin")
    r = await run_sweep(session)
    return SweepPublic(ran=r.ran, seconds=r.seconds, rules=r.rules)
