"""Demo money (issue #15): a disposal contract for every generator ↔ receiver pair the demo
transfers use (the codes they ship, a price per tonne, a scan-free register entry), a few payments
and invoices between 南湖精细化工 and the city incinerator (one paid and invoiced, one invoiced and
not yet paid), and the red flag the plan names: 秀洲印染 paying its disposal fee to a transport
firm, which fires ``fee_to_carrier_or_person``. Idempotent: keyed on the contract numbers
(``DEMO-HT-…``), the bank references (``DEMO-LS-…``) and the invoice numbers (``DEMO-FP-…``)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.auth.service import principal_for
from waste_tracker.config import get_settings
from waste_tracker.models import Manifest, ManifestLine, Organisation, User
from waste_tracker.models.money import Contract, Invoice, Payment
from waste_tracker.money import contracts, payments

PRICE_HW = Decimal("2600.00")  # yuan per tonne, hazardous waste incineration / treatment
PRICE_SW = Decimal("320.00")  # general industrial solid waste


async def _principal(session: AsyncSession, org_id: uuid.UUID) -> Principal | None:
    user = (
        await session.execute(
            select(User).where(User.organisation_id == org_id, User.role == "enterprise").order_by(col(User.username)).limit(1)
        )
    ).scalar_one_or_none()
    return await principal_for(session, user, get_settings()) if user else None


async def _org(session: AsyncSession, username: str) -> Organisation | None:
    org_id = (await session.execute(select(User.organisation_id).where(User.username == username))).scalar_one_or_none()
    return await session.get(Organisation, org_id) if org_id else None


async def seed_money(session: AsyncSession) -> dict[str, int]:
    created = {"contracts": 0, "payments": 0, "invoices": 0}
    today = clock.today()
    start = today - timedelta(days=420)
    pairs = (
        await session.execute(
            select(Manifest.generator_org_id, Manifest.receiver_org_id, ManifestLine.waste_code)
            .join(ManifestLine, col(ManifestLine.manifest_id) == Manifest.id)
            .where(col(Manifest.purpose) == "transfer", col(Manifest.number).is_not(None))
            .distinct()
        )
    ).all()
    codes: dict[tuple[uuid.UUID, uuid.UUID], set[str]] = {}
    for g, r, code in pairs:
        codes.setdefault((g, r), set()).add(code)
    names = dict((await session.execute(select(Organisation.id, Organisation.name))).all())
    ordered = sorted(codes.items(), key=lambda kv: (names.get(kv[0][0], ""), names.get(kv[0][1], "")))
    for n, ((g, r), cs) in enumerate(ordered, start=1):
        number = f"DEMO-HT-{n:03d}"
        if (await session.execute(select(Contract.id).where(Contract.number == number))).first():
            continue
        actor = await _principal(session, g)
        if actor is None:
            continue
        hazardous = any(c[:3].isdigit() and not c.startswith("SW") for c in cs)
        await contracts.register(
            session,
            actor,
            contracts.ContractIn(
                kind="disposal",
                counterparty_org_id=r,
                number=number,
                waste_codes=sorted(cs),
                price_per_tonne=PRICE_HW if hazardous else PRICE_SW,
                valid_from=start,
                valid_to=today + timedelta(days=365),
                signed_on=start,
                note="演示数据 / demo data",
            ),
        )
        created["contracts"] += 1

    gen, rcv = await _org(session, "nanhu-chem"), await _org(session, "jiaxing-incinerator")
    if gen and rcv:
        received = list(
            (
                await session.execute(
                    select(Manifest)
                    .where(
                        Manifest.generator_org_id == gen.id,
                        Manifest.receiver_org_id == rcv.id,
                        col(Manifest.received_at).is_not(None),
                        col(Manifest.accepted_kg).is_not(None),
                    )
                    .order_by(col(Manifest.received_at).desc())
                    .limit(3)
                )
            ).scalars()
        )
        payer, issuer = await _principal(session, gen.id), await _principal(session, rcv.id)
        if len(received) >= 2 and payer and issuer:
            for k, m in enumerate(received[:2], start=1):
                amount = (PRICE_HW * (m.accepted_kg or Decimal(0)) / 1000).quantize(Decimal("0.01"))
                inv = f"DEMO-FP-{k:04d}"
                if not (await session.execute(select(Invoice.id).where(Invoice.number == inv))).first():
                    await payments.record_invoice(
                        session,
                        issuer,
                        payments.InvoiceIn(
                            buyer_org_id=gen.id,
                            number=inv,
                            issued_on=clock.local_date(m.received_at) if m.received_at else today,
                            amount=amount,
                            quantity_kg=m.accepted_kg,
                            manifest_ids=[m.id],
                        ),
                    )
                    created["invoices"] += 1
                ref = f"DEMO-LS-{k:04d}"
                if k == 1 and not (await session.execute(select(Payment.id).where(Payment.bank_reference == ref))).first():
                    await payments.record(
                        session,
                        payer,
                        payments.PaymentIn(
                            amount=amount,
                            paid_on=min(today, (clock.local_date(m.received_at) if m.received_at else today) + timedelta(days=7)),
                            payee_uscc=rcv.uscc,
                            payee_name=rcv.name,
                            invoice_number=inv,
                            bank_reference=ref,
                            manifest_ids=[m.id],
                            quantity_kg=m.accepted_kg,
                        ),
                    )
                    created["payments"] += 1

    # The red flag: the disposal fee paid to the transport firm ("they take care of everything").
    dyer, haulier = await _org(session, "xiuzhou-dyeing"), await _org(session, "lvtong-transport")
    ref = "DEMO-LS-0099"
    if dyer and haulier and not (await session.execute(select(Payment.id).where(Payment.bank_reference == ref))).first():
        payer = await _principal(session, dyer.id)
        if payer:
            await payments.record(
                session,
                payer,
                payments.PaymentIn(
                    amount=Decimal("18000.00"),
                    paid_on=today - timedelta(days=12),
                    payee_uscc=haulier.uscc,
                    payee_name=haulier.name,
                    purpose="disposal",
                    bank_reference=ref,
                    note="处置费（由运输公司一并处理）",
                ),
            )
            created["payments"] += 1
    return created
