"""Payments and invoices, and the bank-statement import.

A payment is entered by the generator that paid or the receiver (or carrier) that was paid, or
imported from the payer's bank-statement CSV (``bank_csv``). The payee is an organisation named by
its 统一社会信用代码 (checked, and linked to the registry when known) or a natural person by name.
Receivers record the invoices they issue. All rows are append-only evidence; the money rules run
in the same transaction (``rules.money.on_payment``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import or_, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Conflict, Forbidden, Invalid, NotFound
from waste_tracker.models import Contract, Invoice, InvoiceManifest, Manifest, Organisation, Payment, PaymentManifest, Site
from waste_tracker.models.money import PAYMENT_PURPOSES
from waste_tracker.registry.uscc import normalise_uscc

MAX_AMOUNT = Decimal("100000000")  # CNY 100 million: beyond this one transfer is a typo
CENT = Decimal("0.01")


@dataclass(frozen=True)
class PaymentIn:
    """One payment as entered or read from a statement row (typed command)."""

    amount: Decimal
    paid_on: date
    payee_uscc: str | None = None
    payee_name: str = ""
    payer_org_id: uuid.UUID | None = None  # the actor's organisation when it is the payer
    purpose: str = "disposal"
    invoice_number: str = ""
    bank_reference: str = ""
    contract_id: uuid.UUID | None = None
    manifest_ids: Sequence[uuid.UUID] = ()
    quantity_kg: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class InvoiceIn:
    buyer_org_id: uuid.UUID
    number: str
    issued_on: date
    amount: Decimal
    quantity_kg: Decimal | None = None
    contract_id: uuid.UUID | None = None
    manifest_ids: Sequence[uuid.UUID] = ()
    note: str = ""


def _orgs_in_scope(actor: Principal) -> Any:
    return select(Site.organisation_id).where(col(Site.county_adcode).in_(sorted(actor.county_scope or [])))


def _readable(actor: Principal) -> Any:
    """Payments the actor reads: an enterprise those it paid, received or recorded; a regulator
    those with a party in its counties; an admin all."""
    if actor.is_admin:
        return true()
    if actor.is_regulator:
        orgs = _orgs_in_scope(actor)
        return or_(col(Payment.payer_org_id).in_(orgs), col(Payment.payee_org_id).in_(orgs))
    if actor.role != "enterprise" or actor.organisation_id is None:
        raise Forbidden("forbidden", {"required_roles": ["enterprise", "regulator", "admin"], "role": actor.role})
    me = actor.organisation_id
    return or_(col(Payment.payer_org_id) == me, col(Payment.payee_org_id) == me, col(Payment.recorded_by_org_id) == me)


def _readable_invoice(actor: Principal) -> Any:
    """Invoices the actor reads: the issuer's and the buyer's; a regulator's counties; admin all."""
    if actor.is_admin:
        return true()
    if actor.is_regulator:
        orgs = _orgs_in_scope(actor)
        return or_(col(Invoice.issuer_org_id).in_(orgs), col(Invoice.buyer_org_id).in_(orgs))
    if actor.role != "enterprise" or actor.organisation_id is None:
        raise Forbidden("forbidden", {"required_roles": ["enterprise", "regulator", "admin"], "role": actor.role})
    return or_(col(Invoice.issuer_org_id) == actor.organisation_id, col(Invoice.buyer_org_id) == actor.organisation_id)


def check_amount(value: Any, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except (InvalidOperation, ValueError):
        raise Invalid("amount_out_of_range", {"field": field, "max": str(MAX_AMOUNT), "value": str(value)[:40]}) from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT or amount != amount.quantize(CENT):
        raise Invalid("amount_out_of_range", {"field": field, "max": str(MAX_AMOUNT), "value": str(value)[:40]})
    return amount


async def _check_manifests(
    session: AsyncSession, ids: Sequence[uuid.UUID], parties: set[uuid.UUID | None], field: str = "manifest_ids"
) -> list[uuid.UUID]:
    out = []
    for mid in dict.fromkeys(ids):
        m = await session.get(Manifest, mid)
        if m is None or not ({m.generator_org_id, m.receiver_org_id, m.carrier_org_id} & parties):
            raise Invalid("manifest_not_payable", {"field": field, "manifest_id": str(mid)})
        out.append(mid)
    return out


async def _check_contract(session: AsyncSession, contract_id: uuid.UUID | None, parties: set[uuid.UUID | None]) -> None:
    if contract_id is None:
        return
    c = await session.get(Contract, contract_id)
    if c is None or not ({c.generator_org_id, c.counterparty_org_id} <= parties):
        raise Invalid("validation_error", {"field": "contract_id", "reason": "not a contract between these parties"})


async def validate(session: AsyncSession, actor: Principal, p: PaymentIn) -> tuple[Payment, list[uuid.UUID]]:
    """The row a payment would be (not yet added), or ``Invalid`` naming the field at fault."""
    if actor.role != "enterprise" or actor.organisation_id is None:
        raise Forbidden("forbidden", {"reason": "payments are recorded by the enterprises involved"})
    me = actor.organisation_id
    amount = check_amount(p.amount)
    clock.check_day(p.paid_on, "paid_on")
    if p.paid_on > clock.today():
        raise Invalid("validation_error", {"field": "paid_on", "reason": "in the future"})
    if p.purpose not in PAYMENT_PURPOSES:
        raise Invalid("validation_error", {"field": "purpose", "allowed": list(PAYMENT_PURPOSES)})
    payer_id = p.payer_org_id or me
    if await session.get(Organisation, payer_id) is None:
        raise Invalid("validation_error", {"field": "payer_org_id", "reason": "unknown organisation"})
    payee_org: Organisation | None = None
    uscc = None
    if p.payee_uscc and p.payee_uscc.strip():
        try:
            uscc = normalise_uscc(p.payee_uscc)
        except Invalid as e:
            raise Invalid("invalid_uscc", {**e.details, "field": "payee_uscc"}) from None
        payee_org = (await session.execute(select(Organisation).where(col(Organisation.uscc) == uscc))).scalar_one_or_none()
    name = (p.payee_name or "").strip()[:200] or (payee_org.name if payee_org else "")
    if not name:
        raise Invalid("payee_required", {"field": "payee_name"})
    if me not in (payer_id, payee_org.id if payee_org else None):
        raise Forbidden("forbidden", {"reason": "record only payments your organisation made or received"})
    parties = {payer_id, payee_org.id if payee_org else None}
    await _check_contract(session, p.contract_id, parties)
    manifests = await _check_manifests(session, p.manifest_ids, parties)
    qty = p.quantity_kg
    if qty is not None and not (Decimal(0) < qty <= Decimal(100_000_000)):
        raise Invalid("validation_error", {"field": "quantity_kg", "reason": "out of range"})
    row = Payment(
        payer_org_id=payer_id,
        payee_kind="organisation" if uscc else "person",
        payee_org_id=payee_org.id if payee_org else None,
        payee_uscc=uscc,
        payee_name=name,
        amount=amount,
        paid_on=p.paid_on,
        purpose=p.purpose,
        invoice_number=p.invoice_number.strip()[:64],
        bank_reference=p.bank_reference.strip()[:64],
        contract_id=p.contract_id,
        quantity_kg=qty,
        recorded_by_org_id=me,
        note=p.note.strip()[:2000],
        created_by=actor.user_id,
    )
    return row, manifests


async def _store(session: AsyncSession, row: Payment, manifests: list[uuid.UUID]) -> Payment:
    from waste_tracker.rules.money import on_payment

    session.add(row)
    await session.flush()
    for mid in manifests:
        session.add(PaymentManifest(payment_id=row.id, manifest_id=mid))
    await session.flush()
    await on_payment(session, row)
    return row


async def record(session: AsyncSession, actor: Principal, p: PaymentIn) -> Payment:
    row, manifests = await validate(session, actor, p)
    return await _store(session, row, manifests)


async def record_many(
    session: AsyncSession,
    actor: Principal,
    rows: Sequence[tuple[int, PaymentIn]],
    *,
    batch: uuid.UUID | None = None,
    errors: Sequence[dict[str, Any]] = (),
    valid_only: bool = False,
) -> tuple[list[Payment], list[dict[str, Any]]]:
    """A statement's rows: every row checked first; nothing is written if one fails (each error
    names its row number), unless ``valid_only``: then the good rows are written and the bad ones
    returned."""
    batch = batch or uuid.uuid4()
    checked = []
    bad = list(errors)
    for n, p in rows:
        try:
            checked.append((n, *await validate(session, actor, p)))
        except (Invalid, Forbidden) as e:
            bad.append({"row": n, "code": e.code, **{k: v for k, v in e.details.items() if k in ("field", "reason")}})
    bad.sort(key=lambda e: e["row"])
    if bad and not valid_only:
        raise Invalid("invalid_bank_csv", {"reason": f"{len(bad)} rows with errors", "rows": bad[:200]})
    out = []
    for n, row, manifests in checked:
        row.source, row.import_batch, row.import_row = "import", batch, n
        out.append(await _store(session, row, manifests))
    return out, bad


async def get(session: AsyncSession, actor: Principal, payment_id: uuid.UUID) -> Payment:
    p = (await session.execute(select(Payment).where(col(Payment.id) == payment_id, _readable(actor)))).scalar_one_or_none()
    if p is None:
        raise NotFound("payment", payment_id)
    return p


async def list_payments(
    session: AsyncSession, actor: Principal, organisation_id: uuid.UUID | None = None
) -> list[dict[str, Any]]:
    """Readable payments, newest first, with the payer's name, the manifests' numbers and whether
    a later correction replaced them."""
    stmt = select(Payment).where(_readable(actor))
    if organisation_id:
        stmt = stmt.where(or_(col(Payment.payer_org_id) == organisation_id, col(Payment.payee_org_id) == organisation_id))
    rows = list((await session.execute(stmt.order_by(col(Payment.paid_on).desc(), col(Payment.id).desc()).limit(1000))).scalars())
    if not rows:
        return []
    ids = [p.id for p in rows]
    numbers: dict[uuid.UUID, list[str]] = {}
    for pid, num in (
        await session.execute(
            select(PaymentManifest.payment_id, Manifest.number)
            .join(Manifest, col(Manifest.id) == PaymentManifest.manifest_id)
            .where(col(PaymentManifest.payment_id).in_(ids))
        )
    ).all():
        numbers.setdefault(pid, []).append(num or "")
    replaced = set((await session.execute(select(Payment.supersedes_id).where(col(Payment.supersedes_id).in_(ids)))).scalars())
    names = dict(
        (
            await session.execute(
                select(Organisation.id, Organisation.name).where(col(Organisation.id).in_({p.payer_org_id for p in rows}))
            )
        ).all()
    )
    return [
        {
            "payment": p,
            "payer_name": names.get(p.payer_org_id, ""),
            "manifests": numbers.get(p.id, []),
            "superseded": p.id in replaced,
        }
        for p in rows
    ]


async def record_invoice(session: AsyncSession, actor: Principal, i: InvoiceIn) -> Invoice:
    """A receiver (or carrier) records an invoice it issued."""
    if not (actor.acts_as("receiver") or actor.acts_as("carrier")) or actor.organisation_id is None:
        raise Forbidden("forbidden", {"required_org_role": "receiver"})
    me = actor.organisation_id
    amount = check_amount(i.amount)
    clock.check_day(i.issued_on, "issued_on")
    if i.issued_on > clock.today():
        raise Invalid("validation_error", {"field": "issued_on", "reason": "in the future"})
    number = i.number.strip()
    if not number or len(number) > 32:
        raise Invalid("validation_error", {"field": "number", "reason": "1 to 32 characters"})
    if await session.get(Organisation, i.buyer_org_id) is None or i.buyer_org_id == me:
        raise Invalid("validation_error", {"field": "buyer_org_id", "reason": "unknown organisation"})
    taken = (
        await session.execute(select(Invoice.id).where(col(Invoice.issuer_org_id) == me, col(Invoice.number) == number))
    ).scalar()
    if taken:
        raise Conflict("invoice_number_taken", {"field": "number", "number": number})
    parties: set[uuid.UUID | None] = {me, i.buyer_org_id}
    await _check_contract(session, i.contract_id, parties)
    manifests = await _check_manifests(session, i.manifest_ids, parties)
    row = Invoice(
        issuer_org_id=me,
        buyer_org_id=i.buyer_org_id,
        number=number,
        issued_on=i.issued_on,
        amount=amount,
        quantity_kg=i.quantity_kg,
        contract_id=i.contract_id,
        note=i.note.strip()[:2000],
        created_by=actor.user_id,
    )
    session.add(row)
    await session.flush()
    for mid in manifests:
        session.add(InvoiceManifest(invoice_id=row.id, manifest_id=mid))
    await session.flush()
    return row


async def list_invoices(session: AsyncSession, actor: Principal) -> list[dict[str, Any]]:
    rows = list(
        (
            await session.execute(
                select(Invoice).where(_readable_invoice(actor)).order_by(col(Invoice.issued_on).desc()).limit(1000)
            )
        ).scalars()
    )
    if not rows:
        return []
    ids = [i.id for i in rows]
    numbers: dict[uuid.UUID, list[str]] = {}
    for iid, num in (
        await session.execute(
            select(InvoiceManifest.invoice_id, Manifest.number)
            .join(Manifest, col(Manifest.id) == InvoiceManifest.manifest_id)
            .where(col(InvoiceManifest.invoice_id).in_(ids))
        )
    ).all():
        numbers.setdefault(iid, []).append(num or "")
    orgs = {i.buyer_org_id for i in rows} | {i.issuer_org_id for i in rows}
    names = dict((await session.execute(select(Organisation.id, Organisation.name).where(col(Organisation.id).in_(orgs)))).all())
    return [
        {
            "invoice": i,
            "buyer_name": names.get(i.buyer_org_id, ""),
            "issuer_name": names.get(i.issuer_org_id, ""),
            "manifests": numbers.get(i.id, []),
        }
        for i in rows
    ]
