"""The money rules (issue #15): the closed loop of goods and money.

- ``fee_to_carrier_or_person`` and ``no_contract`` (a payment) run when a payment is recorded, in
  its transaction (``on_payment``); ``no_contract`` for a manifest runs on its submitted event
  (``no_contract_at_submission``, from the contract check written on the event).
- ``price_far_below_market`` and ``money_without_waste`` are sweeps: one set-based statement each,
  in the shape ``alerts.store.sweep_rule`` expects.

The organisation's county (its first site's) stands in the county columns, so county bureaus see
the alerts of their enterprises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from waste_tracker import clock
from waste_tracker.alerts.store import raise_alert
from waste_tracker.models import Organisation, Payment, Site
from waste_tracker.money.contracts import in_force_between
from waste_tracker.rules.settings import effective_settings

if TYPE_CHECKING:
    from waste_tracker.rules.events import _Event

Z = clock.SQL_ZONE
TODAY = f"(:now AT TIME ZONE {Z})::date"
SINCE = f"({TODAY} - make_interval(months => :trailing_months))::date"


def _county(org: str) -> str:
    return f"(SELECT min(s.county_adcode) FROM site s WHERE s.organisation_id = {org})"


_LIVE_PAYMENT = "NOT EXISTS (SELECT 1 FROM payment n WHERE n.supersedes_id = p.id)"
_LIVE_CONTRACT = "NOT EXISTS (SELECT 1 FROM contract n WHERE n.supersedes_id = c.id)"

_LICENSED = text(
    """SELECT EXISTS (SELECT 1 FROM licence l JOIN site s ON s.id = l.site_id
                      WHERE s.organisation_id = :org AND l.valid_from <= :on AND l.valid_to >= :on)"""
)


async def no_contract_at_submission(c: _Event) -> None:
    """The submission's contract check (``money.check``) found lines no contract covers."""
    contract = (c.ev.payload or {}).get("contract") or {}
    if contract.get("uncovered"):
        await c.fire(
            "no_contract",
            {"lines": contract["uncovered"], "date": contract.get("date")},
            {"lines": contract["uncovered"]},
        )


async def _org_county(session: AsyncSession, org_id: Any) -> int | None:
    if org_id is None:
        return None
    return (await session.execute(select(Site.county_adcode).where(Site.organisation_id == org_id).limit(1))).scalar()


async def on_payment(session: AsyncSession, p: Payment) -> list[str]:
    """The rules a payment can break when it is recorded; returns the ids of those that fired."""
    settings = await effective_settings(session)
    fired: list[str] = []
    payer = await session.get(Organisation, p.payer_org_id)
    payee = await session.get(Organisation, p.payee_org_id) if p.payee_org_id else None
    basis: dict[str, Any] = {
        "payer_name": payer.name if payer else "",
        "payee_name": p.payee_name,
        "amount_yuan": str(p.amount),
        "paid_on": str(p.paid_on),
        "bank_reference": p.bank_reference or None,
        "invoice_number": p.invoice_number or None,
    }
    gen_county = await _org_county(session, p.payer_org_id)
    payee_county = await _org_county(session, p.payee_org_id)

    async def raise_for(rule_id: str, evidence: dict[str, Any], signature: dict[str, Any], **kw: Any) -> None:
        s = settings[rule_id]
        if not s.enabled:
            return
        await raise_alert(
            session,
            rule_id=rule_id,
            subject_key=f"payment:{p.id}",
            severity=s.severity,
            rank=s.rank,
            evidence=evidence,
            signature=signature,
            now=clock.now(),
            generator_county=gen_county,
            receiver_county=payee_county,
            generator_org_id=p.payer_org_id,
            **kw,
        )
        fired.append(rule_id)

    if p.purpose == "disposal":
        reason = None
        if p.payee_kind == "person":
            reason = "payee_is_person"
        elif payee is None:
            reason = "payee_unlicensed"
        elif not (await session.execute(_LICENSED, {"org": payee.id, "on": p.paid_on})).scalar():
            reason = "payee_is_carrier" if "carrier" in payee.roles else "payee_unlicensed"
        if reason is not None:
            evidence = {**basis, "reason": reason, "payee_uscc": p.payee_uscc}
            carrier = payee.id if payee is not None and "carrier" in payee.roles else None
            await raise_for("fee_to_carrier_or_person", evidence, {"reason": reason}, carrier_org_id=carrier)
    if p.purpose in ("disposal", "transport") and payee is not None:
        kind = "disposal" if p.purpose == "disposal" else "transport"
        found = await in_force_between(session, p.payer_org_id, payee.id, p.paid_on, kind)
        if not found:
            evidence = {**basis, "contract_kind": kind}
            receiver = payee.id if "receiver" in payee.roles else None
            await raise_for("no_contract", evidence, {"kind": kind}, receiver_org_id=receiver)
    return fired


# Prices per tonne observed in the trailing window: contracted (disposal contracts, per code) and
# paid (a disposal payment linked to manifests of a single code: amount / accepted tonnes).
_PRICES = f"""
    SELECT 'contract:' || c.id AS subject, code AS waste_code, c.price_per_tonne AS price, c.signed_on AS on_day,
           c.generator_org_id AS gen, c.counterparty_org_id AS rcv, 'contract' AS source, c.number AS ref
    FROM contract c CROSS JOIN LATERAL unnest(c.waste_codes) code
    WHERE c.kind = 'disposal' AND c.price_per_tonne IS NOT NULL AND {_LIVE_CONTRACT} AND c.signed_on >= {SINCE}
    UNION ALL
    SELECT 'payment:' || p.id, x.code, round(p.amount * 1000 / x.kg, 2), p.paid_on, p.payer_org_id, p.payee_org_id,
           'payment', COALESCE(NULLIF(p.invoice_number, ''), p.bank_reference)
    FROM payment p
    CROSS JOIN LATERAL (
        SELECT min(l.waste_code) AS code, count(DISTINCT l.waste_code) AS codes,
               sum(COALESCE(l.accepted_kg, l.declared_kg)) AS kg
        FROM payment_manifest pm JOIN manifest_line l ON l.manifest_id = pm.manifest_id
        WHERE pm.payment_id = p.id) x
    WHERE p.purpose = 'disposal' AND {_LIVE_PAYMENT} AND x.codes = 1 AND x.kg > 0 AND p.paid_on >= {SINCE}"""

PRICE_SQL = f"""
    WITH obs AS ({_PRICES}),
    med AS (SELECT waste_code, percentile_cont(0.5) WITHIN GROUP (ORDER BY price) AS median, count(*) AS n
            FROM obs GROUP BY waste_code)
    SELECT o.subject || ':' || o.waste_code, NULL::uuid, NULL::uuid,
           jsonb_build_object('waste_code', o.waste_code, 'source', o.source, 'reference', o.ref,
                              'price_per_tonne_yuan', o.price::text,
                              'median_per_tonne_yuan', round(m.median::numeric, 2)::text,
                              'prices_counted', m.n, 'threshold_percent', :percent, 'on_day', o.on_day),
           md5(o.subject || o.waste_code || o.price::text),
           {_county("o.gen")}, {_county("o.rcv")}, o.gen, o.rcv, NULL::uuid
    FROM obs o JOIN med m USING (waste_code)
    WHERE m.n >= :min_count AND o.price < m.median * :percent / 100.0"""

# Money without waste: per payer and payee, the tonnes the window's disposal payments cover (as
# stated, else amount / the contract's price) against the tonnes accepted on manifests between them.
# Waste without money: manifests accepted more than :days ago with no payment or invoice linked.
BALANCE_SQL = f"""
    WITH paid AS (
        SELECT p.payer_org_id AS gen, p.payee_org_id AS rcv, count(*) AS n, sum(p.amount) AS amount,
               sum(COALESCE(p.quantity_kg, p.amount * 1000 / NULLIF(c.price_per_tonne, 0))) AS kg
        FROM payment p LEFT JOIN contract c ON c.id = p.contract_id
        WHERE p.purpose = 'disposal' AND p.payee_org_id IS NOT NULL AND {_LIVE_PAYMENT} AND p.paid_on >= {SINCE}
        GROUP BY 1, 2),
    got AS (
        SELECT m.generator_org_id AS gen, m.receiver_org_id AS rcv, sum(COALESCE(m.accepted_kg, 0)) AS kg
        FROM manifest m
        WHERE m.received_at IS NOT NULL AND (m.received_at AT TIME ZONE {Z})::date >= {SINCE}
        GROUP BY 1, 2),
    unpaid AS (
        SELECT m.generator_org_id AS gen, m.receiver_org_id AS rcv, count(*) AS n, sum(m.accepted_kg) AS kg,
               min((m.received_at AT TIME ZONE {Z})::date) AS oldest,
               (array_agg(m.number ORDER BY m.received_at))[1:20] AS numbers,
               string_agg(m.id::text, ',' ORDER BY m.id) AS ids
        FROM manifest m
        WHERE m.purpose = 'transfer' AND m.received_at IS NOT NULL AND m.accepted_kg > 0
          AND m.received_at < :now - make_interval(days => :days)
          AND (m.received_at AT TIME ZONE {Z})::date >= {SINCE}
          AND NOT EXISTS (SELECT 1 FROM payment_manifest pm JOIN payment p ON p.id = pm.payment_id
                          WHERE pm.manifest_id = m.id AND {_LIVE_PAYMENT})
          AND NOT EXISTS (SELECT 1 FROM invoice_manifest im WHERE im.manifest_id = m.id)
        GROUP BY 1, 2)
    SELECT 'pair:' || p.gen || ':' || p.rcv || ':' || 'money', NULL::uuid, NULL::uuid,
           jsonb_build_object('kind', 'money_without_waste', 'paid_kg', round(p.kg, 3)::text,
                              'received_kg', round(COALESCE(g.kg, 0), 3)::text, 'amount_yuan', p.amount::text,
                              'payments', p.n, 'threshold_ratio', :ratio, 'since', {SINCE}),
           md5(p.gen::text || p.rcv::text || round(p.kg, 3)::text || round(COALESCE(g.kg, 0), 3)::text),
           {_county("p.gen")}, {_county("p.rcv")}, p.gen, p.rcv, NULL::uuid
    FROM paid p LEFT JOIN got g ON g.gen = p.gen AND g.rcv = p.rcv
    WHERE p.kg IS NOT NULL AND p.kg > COALESCE(g.kg, 0) * :ratio
    UNION ALL
    SELECT 'pair:' || u.gen || ':' || u.rcv || ':' || 'waste', NULL::uuid, NULL::uuid,
           jsonb_build_object('kind', 'waste_without_money', 'manifests', u.n, 'numbers', u.numbers,
                              'received_kg', u.kg::text, 'oldest_received_on', u.oldest, 'threshold_days', :days),
           md5(u.ids),
           {_county("u.gen")}, {_county("u.rcv")}, u.gen, u.rcv, NULL::uuid
    FROM unpaid u"""

MONEY_SQL: dict[str, str] = {"price_far_below_market": PRICE_SQL, "money_without_waste": BALANCE_SQL}
