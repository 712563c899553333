"""Contracts, payments (entered or imported from a bank statement), invoices and their matching
(issue #15). Contract files and bank data are sensitive: only the parties, their regulators and
the admin read them (one readable condition per concept, in ``waste_tracker.money``)."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import PrincipalDep, SessionDep, permission
from schemas.common import ERROR_RESPONSES
from schemas.money import (
    BankCsvIn,
    ContractFileIn,
    ContractFilePublic,
    ContractIn,
    ContractPublic,
    ContractTerminationIn,
    InvoiceIn,
    InvoicePublic,
    MatchRow,
    PaymentIn,
    PaymentPublic,
)
from waste_tracker.errors import Invalid
from waste_tracker.money import bank_csv, contracts, matching, payments

router = APIRouter(prefix="/api/v1", tags=["money"], responses=ERROR_RESPONSES)
READERS = permission("enterprise", "regulator", "admin", note="the parties; regulators: their counties")
GENERATOR = permission("enterprise", "admin", note="the generator's users")
PARTY = permission("enterprise", note="the payer or the payee")
RECEIVER = permission("enterprise", note="the receiver (or carrier) that issued it")


def _bytes(b64: str, field: str) -> bytes:
    try:
        return base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError) as e:
        raise Invalid("validation_error", {"field": field, "reason": "not base64"}) from e


def _contract(d: dict[str, Any]) -> ContractPublic:
    c = d["contract"]
    return ContractPublic(
        **{k: getattr(c, k) for k in ContractPublic.model_fields if hasattr(c, k) and k not in ("price_per_tonne", "files")},
        price_per_tonne=str(c.price_per_tonne) if c.price_per_tonne is not None else None,
        generator_name=d["generator_name"],
        counterparty_name=d["counterparty_name"],
        status=d["status"],
        terminated_on=d["terminated_on"],
        files=[ContractFilePublic(**f) for f in d["files"]],
    )


def _cmd(body: ContractIn) -> contracts.ContractIn:
    return contracts.ContractIn(**body.model_dump())


@router.post("/contracts", response_model=ContractPublic, status_code=201, openapi_extra=GENERATOR)
async def register_contract(body: ContractIn, principal: PrincipalDep, session: SessionDep) -> ContractPublic:
    """Register a written contract of the caller's organisation (the generator) with a receiver or carrier."""
    c = await contracts.register(session, principal, _cmd(body))
    return _contract((await contracts.describe(session, [c]))[0])


@router.get("/contracts", response_model=list[ContractPublic], openapi_extra=READERS)
async def list_contracts(
    principal: PrincipalDep, session: SessionDep, kind: str | None = None, organisation_id: uuid.UUID | None = None
) -> list[ContractPublic]:
    return [_contract(d) for d in await contracts.list_contracts(session, principal, kind=kind, organisation_id=organisation_id)]


@router.get("/contracts/{contract_id}", response_model=ContractPublic, openapi_extra=READERS)
async def get_contract(contract_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> ContractPublic:
    c = await contracts.get(session, principal, contract_id)
    return _contract((await contracts.describe(session, [c]))[0])


@router.post("/contracts/{contract_id}/corrections", response_model=ContractPublic, status_code=201, openapi_extra=GENERATOR)
async def correct_contract(
    contract_id: uuid.UUID, body: ContractIn, principal: PrincipalDep, session: SessionDep
) -> ContractPublic:
    """A corrected version: a new contract that supersedes this one (which is kept)."""
    c = await contracts.correct(session, principal, contract_id, _cmd(body))
    return _contract((await contracts.describe(session, [c]))[0])


@router.post("/contracts/{contract_id}/termination", response_model=ContractPublic, status_code=201, openapi_extra=GENERATOR)
async def terminate_contract(
    contract_id: uuid.UUID, body: ContractTerminationIn, principal: PrincipalDep, session: SessionDep
) -> ContractPublic:
    await contracts.terminate(session, principal, contract_id, body.terminated_on, body.reason)
    c = await contracts.get(session, principal, contract_id)
    return _contract((await contracts.describe(session, [c]))[0])


@router.post(
    "/contracts/{contract_id}/files",
    response_model=ContractFilePublic,
    status_code=201,
    openapi_extra=permission("enterprise", "admin", note="the contract's parties"),
)
async def attach_contract_file(
    contract_id: uuid.UUID, body: ContractFileIn, principal: PrincipalDep, session: SessionDep
) -> ContractFilePublic:
    """Keep a scan of the contract (PDF, JPEG or PNG, ≤ 700 KB) with its SHA-256; earlier scans stay."""
    f = await contracts.attach_file(session, principal, contract_id, _bytes(body.content_base64, "content_base64"), body.filename)
    return ContractFilePublic(
        id=f.id, sha256=f.sha256, media_type=f.media_type, filename=f.filename, size=f.size, created_at=f.created_at
    )


@router.get("/contracts/{contract_id}/files/{file_id}", response_class=Response, openapi_extra=READERS)
async def contract_file(contract_id: uuid.UUID, file_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> Response:
    """The scan as stored (its SHA-256 is in the ``X-Content-SHA256`` header)."""
    f = await contracts.file_of(session, principal, contract_id, file_id)
    return Response(
        f.content,
        media_type=f.media_type,
        headers={"X-Content-SHA256": f.sha256, "Cache-Control": "private, no-store", "Content-Disposition": "inline"},
    )


def _payment(d: dict[str, Any]) -> PaymentPublic:
    p = d["payment"]
    return PaymentPublic(
        **{k: getattr(p, k) for k in PaymentPublic.model_fields if hasattr(p, k) and k not in ("amount", "quantity_kg")},
        amount=str(p.amount),
        quantity_kg=str(p.quantity_kg) if p.quantity_kg is not None else None,
        payer_name=d["payer_name"],
        manifests=d["manifests"],
        superseded=d["superseded"],
    )


@router.post("/payments", response_model=PaymentPublic, status_code=201, openapi_extra=PARTY)
async def record_payment(body: PaymentIn, principal: PrincipalDep, session: SessionDep) -> PaymentPublic:
    """Record a payment the caller's organisation made (or, as payee, received)."""
    p = await payments.record(session, principal, payments.PaymentIn(**body.model_dump()))
    return _payment({"payment": p, "payer_name": "", "manifests": [], "superseded": False})


@router.get("/payments", response_model=list[PaymentPublic], openapi_extra=READERS)
async def list_payments(
    principal: PrincipalDep, session: SessionDep, organisation_id: uuid.UUID | None = None
) -> list[PaymentPublic]:
    return [_payment(d) for d in await payments.list_payments(session, principal, organisation_id)]


@router.post("/payments/bank-csv", status_code=201, openapi_extra=PARTY)
async def import_bank_csv(body: BankCsvIn, principal: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    """A bank statement's outgoing payments (docs/money.md has the columns). All rows or none,
    unless ``valid_only``; ``dry_run`` returns the preview and the errors per line."""
    content = _bytes(body.content_base64, "content_base64")
    return await bank_csv.import_statement(session, principal, content, valid_only=body.valid_only, dry_run=body.dry_run)


@router.post("/invoices", response_model=InvoicePublic, status_code=201, openapi_extra=RECEIVER)
async def record_invoice(body: InvoiceIn, principal: PrincipalDep, session: SessionDep) -> InvoicePublic:
    i = await payments.record_invoice(session, principal, payments.InvoiceIn(**body.model_dump()))
    return _invoice({"invoice": i, "buyer_name": "", "issuer_name": "", "manifests": []})


def _invoice(d: dict[str, Any]) -> InvoicePublic:
    i = d["invoice"]
    return InvoicePublic(
        **{k: getattr(i, k) for k in InvoicePublic.model_fields if hasattr(i, k) and k not in ("amount", "quantity_kg")},
        amount=str(i.amount),
        quantity_kg=str(i.quantity_kg) if i.quantity_kg is not None else None,
        buyer_name=d["buyer_name"],
        issuer_name=d["issuer_name"],
        manifests=d["manifests"],
    )


@router.get("/invoices", response_model=list[InvoicePublic], openapi_extra=READERS)
async def list_invoices(principal: PrincipalDep, session: SessionDep) -> list[InvoicePublic]:
    return [_invoice(d) for d in await payments.list_invoices(session, principal)]


@router.get("/money/matching", response_model=list[MatchRow], openapi_extra=READERS)
async def money_matching(principal: PrincipalDep, session: SessionDep) -> list[MatchRow]:
    """Each manifest received in the last year with the payments and invoices linked to it."""
    got = await matching.matching(session, principal)
    return [
        MatchRow(
            manifest_id=r.manifest_id,
            number=r.number,
            generator_name=r.generator_name,
            receiver_name=r.receiver_name,
            received_on=r.received_on,
            accepted_kg=str(r.accepted_kg),
            state=r.state,
            payments=[{k: str(v) for k, v in p.items()} for p in r.payments],
            invoices=[{k: str(v) for k, v in i.items()} for i in r.invoices],
        )
        for r in got["rows"]
    ]
