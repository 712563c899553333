"""Matching invoices, payments and manifests: for each manifest received in the window, the
payments and invoices linked to it; a payment also matches an invoice by its number (the payee
being the invoice's issuer). What is left unmatched on either side is what the parties (and the
``money_without_waste`` rule) look at."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Forbidden
from waste_tracker.models import Invoice, InvoiceManifest, Manifest, Organisation, Payment, PaymentManifest
from waste_tracker.money.payments import _readable, _readable_invoice


@dataclass
class Row:
    manifest_id: uuid.UUID
    number: str
    generator_name: str
    receiver_name: str
    received_on: date
    accepted_kg: Decimal
    payments: list[dict[str, Any]] = field(default_factory=list)
    invoices: list[dict[str, Any]] = field(default_factory=list)

    @property
    def state(self) -> str:
        if self.payments and self.invoices:
            return "matched"
        if self.payments:
            return "paid_not_invoiced"
        if self.invoices:
            return "invoiced_not_paid"
        return "open"


def _manifests_readable(actor: Principal) -> Any:
    if actor.is_admin:
        return true()
    if actor.is_regulator:
        scope = sorted(actor.county_scope or [])
        return or_(col(Manifest.generator_county).in_(scope), col(Manifest.receiver_county).in_(scope))
    if actor.role != "enterprise" or actor.organisation_id is None:
        raise Forbidden("forbidden", {"required_roles": ["enterprise", "regulator", "admin"], "role": actor.role})
    return or_(col(Manifest.generator_org_id) == actor.organisation_id, col(Manifest.receiver_org_id) == actor.organisation_id)


async def matching(session: AsyncSession, actor: Principal, days: int = 365) -> dict[str, Any]:
    since = clock.start_of(clock.today() - timedelta(days=days))
    ms = list(
        (
            await session.execute(
                select(Manifest)
                .where(_manifests_readable(actor), col(Manifest.received_at).is_not(None), col(Manifest.received_at) >= since)
                .where(col(Manifest.purpose) == "transfer")
                .order_by(col(Manifest.received_at).desc())
                .limit(1000)
            )
        ).scalars()
    )
    ids = [m.id for m in ms]
    orgs = {m.generator_org_id for m in ms} | {m.receiver_org_id for m in ms}
    names = dict((await session.execute(select(Organisation.id, Organisation.name).where(col(Organisation.id).in_(orgs)))).all())
    rows = {
        m.id: Row(
            m.id,
            m.number or "",
            names.get(m.generator_org_id, ""),
            names.get(m.receiver_org_id, ""),
            clock.local_date(m.received_at) if m.received_at else clock.today(),
            m.accepted_kg or Decimal(0),
        )
        for m in ms
    }
    if ids:
        for mid, p in (
            await session.execute(
                select(PaymentManifest.manifest_id, Payment)
                .join(Payment, col(Payment.id) == PaymentManifest.payment_id)
                .where(col(PaymentManifest.manifest_id).in_(ids))
            )
        ).all():
            rows[mid].payments.append(
                {"amount": p.amount, "paid_on": p.paid_on, "reference": p.invoice_number or p.bank_reference}
            )
        for mid, i in (
            await session.execute(
                select(InvoiceManifest.manifest_id, Invoice)
                .join(Invoice, col(Invoice.id) == InvoiceManifest.invoice_id)
                .where(col(InvoiceManifest.manifest_id).in_(ids))
            )
        ).all():
            rows[mid].invoices.append({"amount": i.amount, "issued_on": i.issued_on, "number": i.number})
    # Invoices and payments matched to each other by the invoice number.
    invoices = list((await session.execute(select(Invoice).where(_readable_invoice(actor)).limit(1000))).scalars())
    payments = list((await session.execute(select(Payment).where(_readable(actor)).limit(1000))).scalars())
    paid = {(p.payee_org_id, p.invoice_number) for p in payments if p.invoice_number}
    unpaid_invoices = [i for i in invoices if (i.issuer_org_id, i.number) not in paid]
    numbers = {(i.issuer_org_id, i.number) for i in invoices}
    uninvoiced = [p for p in payments if p.purpose == "disposal" and (p.payee_org_id, p.invoice_number) not in numbers]
    return {"rows": list(rows.values()), "unpaid_invoices": unpaid_invoices, "payments_without_invoice": uninvoiced}
