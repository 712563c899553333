"""The money pages (issue #15): an enterprise's contracts, payments, invoices and the matching of
received manifests with them ("合同与付款"); a regulator's money flows in its counties with the
money alerts ("资金流向"). Every change is made by ``static/js/money.js`` through the JSON API."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import SessionDep, permission
from api.web.render import WebPrincipal, WebRoute, render, web_lang
from waste_tracker import clock
from waste_tracker.alerts import queries
from waste_tracker.errors import Forbidden
from waste_tracker.models import Organisation
from waste_tracker.money import contracts, matching, payments
from waste_tracker.registry import organisations
from waste_tracker.rules import catalogue as rules

router = APIRouter(route_class=WebRoute, include_in_schema=False)
MONEY_RULES = ("fee_to_carrier_or_person", "no_contract", "price_far_below_market", "money_without_waste")


@router.get("/money", openapi_extra=permission("enterprise", note="web page; generators and receivers"))
async def enterprise_page(request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    if principal.role != "enterprise" or not ({"generator", "receiver"} & principal.org_roles):
        raise Forbidden("forbidden", {"required_org_role": "generator or receiver", "role": principal.role})
    is_generator = "generator" in principal.org_roles
    is_receiver = "receiver" in principal.org_roles
    counterparties = []
    buyers: list[dict[str, object]] = []
    if is_generator:
        for role in ("receiver", "carrier"):
            for o in await organisations.list_organisations(session, principal, role=role, limit=500):
                if o.id != principal.organisation_id:
                    counterparties.append({"id": o.id, "name": o.name, "uscc": o.uscc, "role": role})
    listed_contracts = await contracts.list_contracts(session, principal)
    listed_payments = await payments.list_payments(session, principal)
    if is_receiver:
        # Its customers: the generators it has contracts with or was paid by, and those it can see.
        names = {d["contract"].generator_org_id: d["generator_name"] for d in listed_contracts}
        names |= {d["payment"].payer_org_id: d["payer_name"] for d in listed_payments}
        for o in await organisations.list_organisations(session, principal, role="generator", limit=500):
            names[o.id] = o.name
        names.pop(principal.organisation_id, None)
        buyers = [{"id": k, "name": v} for k, v in sorted(names.items(), key=lambda kv: kv[1])]
    rows = (await matching.matching(session, principal))["rows"]
    own = await session.get(Organisation, principal.organisation_id)
    return render(
        request,
        "money.html",
        is_generator=is_generator,
        is_receiver=is_receiver,
        org_id=principal.organisation_id,
        contracts=listed_contracts,
        payments=listed_payments,
        invoices=await payments.list_invoices(session, principal) if is_receiver else [],
        matching=rows,
        own_uscc=own.uscc if own else "",
        counterparties=counterparties,
        buyers=buyers,
        today=clock.today().isoformat(),
    )


@router.get("/reg/money", openapi_extra=permission("regulator", "admin", note="web page; regulators"))
async def regulator_page(request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    if not (principal.is_regulator or principal.is_admin):
        raise Forbidden("forbidden", {"required_roles": ["regulator", "admin"], "role": principal.role})
    lang = web_lang(request)
    alerts, _ = await queries.list_alerts(session, principal, queries.AlertFilter(rule=list(MONEY_RULES)), None, 50)
    return render(
        request,
        "reg_money.html",
        contracts=await contracts.list_contracts(session, principal),
        payments=await payments.list_payments(session, principal),
        alerts=alerts,
        money_rules=MONEY_RULES,
        rule_titles={r: rules.title(r, lang) for r in MONEY_RULES},
    )
