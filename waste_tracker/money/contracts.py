"""The contract register (固废法 Art. 37; 危险废物转移管理办法 Art. 10): a generator's written
contracts with its receivers (disposal) and carriers (transport).

Append-only: a correction is a new contract row that ``supersedes`` the old one; termination is a
``contract_termination`` row; a scan is a ``contract_file`` row with its SHA-256. A contract is
*in force* on a day when it is the latest version, the day lies in its validity and it was not
terminated on or before that day.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, exists, or_, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Conflict, Forbidden, Invalid, NotFound
from waste_tracker.models import Contract, ContractFile, ContractTermination, Organisation, Site
from waste_tracker.models.money import CONTRACT_KINDS, TRANSPORT_TERMS

MAX_FILE_BYTES = 700_000  # base64 in a JSON body stays under the 1 MB request limit
MAX_PRICE = Decimal("1000000")  # CNY per tonne: beyond this is a typo


@dataclass(frozen=True)
class ContractIn:
    """A contract as registered (typed command)."""

    kind: str
    counterparty_org_id: uuid.UUID
    valid_from: date
    valid_to: date
    signed_on: date
    waste_codes: Sequence[str] = ()
    waste_categories: Sequence[str] = ()
    price_per_tonne: Decimal | None = None
    transport_terms: str = "generator_pays_carrier"
    number: str = ""
    note: str = ""
    generator_org_id: uuid.UUID | None = None  # the actor's own organisation when None
    extra: dict[str, Any] = field(default_factory=dict)


def file_type(content: bytes) -> str | None:
    """The media type by the file's magic bytes (never by what the browser claims)."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def _in_scope_orgs(actor: Principal) -> Any:
    return select(Site.organisation_id).where(col(Site.county_adcode).in_(sorted(actor.county_scope or [])))


def _readable(actor: Principal) -> Any:
    """What the actor reads: an enterprise the contracts it is a party to; a regulator those with a
    party in its counties; an admin all (one condition for the list, one contract and its files)."""
    if actor.is_admin:
        return true()
    if actor.is_regulator:
        orgs = _in_scope_orgs(actor)
        return or_(col(Contract.generator_org_id).in_(orgs), col(Contract.counterparty_org_id).in_(orgs))
    if actor.role != "enterprise" or actor.organisation_id is None:
        raise Forbidden("forbidden", {"required_roles": ["enterprise", "regulator", "admin"], "role": actor.role})
    return or_(
        col(Contract.generator_org_id) == actor.organisation_id, col(Contract.counterparty_org_id) == actor.organisation_id
    )


def in_force(on: date) -> Any:
    """The condition for a contract in force on ``on``."""
    newer = aliased(Contract)
    return and_(
        col(Contract.valid_from) <= on,
        col(Contract.valid_to) >= on,
        ~exists().where(col(newer.supersedes_id) == Contract.id),
        ~exists().where(col(ContractTermination.contract_id) == Contract.id, col(ContractTermination.terminated_on) <= on),
    )


def covers(c: Contract, code: str, category: str) -> bool:
    return code in (c.waste_codes or []) or category in (c.waste_categories or [])


async def in_force_between(
    session: AsyncSession, generator_org_id: uuid.UUID, counterparty_org_id: uuid.UUID, on: date, kind: str = "disposal"
) -> list[Contract]:
    stmt = select(Contract).where(
        col(Contract.generator_org_id) == generator_org_id,
        col(Contract.counterparty_org_id) == counterparty_org_id,
        col(Contract.kind) == kind,
        in_force(on),
    )
    return list((await session.execute(stmt.order_by(col(Contract.signed_on).desc()))).scalars())


async def register(session: AsyncSession, actor: Principal, c: ContractIn, supersedes: Contract | None = None) -> Contract:
    """A generator registers a contract (or an admin for a generator)."""
    if actor.is_admin and c.generator_org_id is not None:
        generator_org_id = c.generator_org_id
    else:
        generator_org_id = actor.require_org_role("generator")
    if c.kind not in CONTRACT_KINDS:
        raise Invalid("validation_error", {"field": "kind", "allowed": list(CONTRACT_KINDS)})
    if c.transport_terms not in TRANSPORT_TERMS:
        raise Invalid("validation_error", {"field": "transport_terms", "allowed": list(TRANSPORT_TERMS)})
    for f, d in (("valid_from", c.valid_from), ("valid_to", c.valid_to), ("signed_on", c.signed_on)):
        clock.check_day(d, f)
    if c.valid_from > c.valid_to:
        raise Invalid("validation_error", {"field": "valid_to", "reason": "before valid_from"})
    if c.signed_on > clock.today():
        raise Invalid("validation_error", {"field": "signed_on", "reason": "in the future"})
    codes = sorted({x.strip() for x in c.waste_codes if x.strip()})
    cats = sorted({x.strip().upper() for x in c.waste_categories if x.strip()})
    if not codes and not cats:
        raise Invalid("validation_error", {"field": "waste_codes", "reason": "name at least one code or category"})
    if c.price_per_tonne is not None and not (Decimal(0) <= c.price_per_tonne <= MAX_PRICE):
        raise Invalid("amount_out_of_range", {"field": "price_per_tonne", "max": str(MAX_PRICE), "value": str(c.price_per_tonne)})
    other = await session.get(Organisation, c.counterparty_org_id)
    expected = "receiver" if c.kind == "disposal" else "carrier"
    if other is None or expected not in other.roles or other.id == generator_org_id:
        raise Invalid("contract_party_invalid", {"field": "counterparty_org_id", "expected": expected})
    row = Contract(
        kind=c.kind,
        number=c.number.strip()[:64],
        generator_org_id=generator_org_id,
        counterparty_org_id=other.id,
        waste_codes=codes,
        waste_categories=cats,
        price_per_tonne=c.price_per_tonne.quantize(Decimal("0.01")) if c.price_per_tonne is not None else None,
        transport_terms=c.transport_terms,
        valid_from=c.valid_from,
        valid_to=c.valid_to,
        signed_on=c.signed_on,
        note=c.note.strip()[:2000],
        supersedes_id=supersedes.id if supersedes else None,
        created_by=actor.user_id,
    )
    session.add(row)
    await session.flush()
    return row


async def get(session: AsyncSession, actor: Principal, contract_id: uuid.UUID) -> Contract:
    c = (await session.execute(select(Contract).where(col(Contract.id) == contract_id, _readable(actor)))).scalar_one_or_none()
    if c is None:
        raise NotFound("contract", contract_id)
    return c


async def _own_current(session: AsyncSession, actor: Principal, contract_id: uuid.UUID) -> Contract:
    """A contract the actor's organisation signed as generator, still the latest version and not ended."""
    c = await get(session, actor, contract_id)
    if not (actor.is_admin or actor.owns(c.generator_org_id)):
        raise Forbidden("forbidden", {"reason": "only the generator's users change its contracts"})
    newer = (await session.execute(select(Contract.id).where(col(Contract.supersedes_id) == c.id))).scalar()
    if newer is not None:
        raise Conflict("contract_superseded", {"contract_id": str(c.id), "superseded_by": str(newer)})
    ended = await session.get(ContractTermination, c.id)
    if ended is not None:
        raise Conflict("contract_terminated", {"terminated_on": str(ended.terminated_on)})
    return c


async def correct(session: AsyncSession, actor: Principal, contract_id: uuid.UUID, c: ContractIn) -> Contract:
    """A corrected version: a new row superseding the old (which stays, as evidence)."""
    old = await _own_current(session, actor, contract_id)
    return await register(session, actor, ContractIn(**{**c.__dict__, "generator_org_id": old.generator_org_id}), old)


async def terminate(
    session: AsyncSession, actor: Principal, contract_id: uuid.UUID, on: date, reason: str
) -> ContractTermination:
    c = await _own_current(session, actor, contract_id)
    clock.check_day(on, "terminated_on")
    if not reason.strip():
        raise Invalid("reason_required", {"field": "reason"})
    t = ContractTermination(contract_id=c.id, terminated_on=on, reason=reason.strip()[:2000], created_by=actor.user_id)
    session.add(t)
    await session.flush()
    return t


async def attach_file(
    session: AsyncSession, actor: Principal, contract_id: uuid.UUID, content: bytes, filename: str = ""
) -> ContractFile:
    """Keep a scan of the contract (a new row each time; earlier scans stay)."""
    c = await get(session, actor, contract_id)
    if not (actor.is_admin or actor.owns(c.generator_org_id) or actor.owns(c.counterparty_org_id)):
        raise Forbidden("forbidden", {"reason": "only the parties attach files"})
    if len(content) > MAX_FILE_BYTES:
        raise Invalid("contract_file_too_large", {"field": "file", "size": len(content), "max": MAX_FILE_BYTES})
    media = file_type(content)
    if not content or media is None:
        raise Invalid("contract_file_type", {"field": "file"})
    f = ContractFile(
        contract_id=c.id,
        sha256=hashlib.sha256(content).hexdigest(),
        media_type=media,
        filename=filename.replace("/", "_").replace("\\", "_")[:200],
        size=len(content),
        content=content,
        created_by=actor.user_id,
    )
    session.add(f)
    await session.flush()
    return f


async def file_of(session: AsyncSession, actor: Principal, contract_id: uuid.UUID, file_id: uuid.UUID) -> ContractFile:
    c = await get(session, actor, contract_id)
    f = (
        await session.execute(select(ContractFile).where(col(ContractFile.id) == file_id, col(ContractFile.contract_id) == c.id))
    ).scalar_one_or_none()
    if f is None:
        raise NotFound("contract_file", file_id)
    return f


async def list_contracts(
    session: AsyncSession, actor: Principal, *, kind: str | None = None, organisation_id: uuid.UUID | None = None
) -> list[dict[str, Any]]:
    """Readable contracts, latest first, each with its status today, its files and the parties' names."""
    stmt = select(Contract).where(_readable(actor))
    if kind:
        stmt = stmt.where(col(Contract.kind) == kind)
    if organisation_id:
        stmt = stmt.where(
            or_(col(Contract.generator_org_id) == organisation_id, col(Contract.counterparty_org_id) == organisation_id)
        )
    rows = list((await session.execute(stmt.order_by(col(Contract.created_at).desc()).limit(500))).scalars())
    return await describe(session, rows)


async def describe(session: AsyncSession, rows: list[Contract]) -> list[dict[str, Any]]:
    if not rows:
        return []
    ids = [c.id for c in rows]
    ended = {
        t.contract_id: t
        for t in (
            await session.execute(select(ContractTermination).where(col(ContractTermination.contract_id).in_(ids)))
        ).scalars()
    }
    replaced = set((await session.execute(select(Contract.supersedes_id).where(col(Contract.supersedes_id).in_(ids)))).scalars())
    files: dict[uuid.UUID, list[dict[str, Any]]] = {}
    shown: list[Any] = [
        ContractFile.id,
        ContractFile.contract_id,
        ContractFile.sha256,
        ContractFile.media_type,
        ContractFile.filename,
        ContractFile.size,
        ContractFile.created_at,
    ]
    stmt = select(*shown).where(col(ContractFile.contract_id).in_(ids)).order_by(col(ContractFile.created_at))
    for fid, cid, sha, media, name, size, at in (await session.execute(stmt)).all():
        files.setdefault(cid, []).append(
            {"id": fid, "sha256": sha, "media_type": media, "filename": name, "size": size, "created_at": at}
        )
    org_ids = {c.generator_org_id for c in rows} | {c.counterparty_org_id for c in rows}
    names = dict(
        (await session.execute(select(Organisation.id, Organisation.name).where(col(Organisation.id).in_(org_ids)))).all()
    )
    today = clock.today()
    out = []
    for c in rows:
        t = ended.get(c.id)
        if c.id in replaced:
            status = "superseded"
        elif t is not None and t.terminated_on <= today:
            status = "terminated"
        elif c.valid_to < today:
            status = "expired"
        elif c.valid_from > today:
            status = "not_yet_valid"
        else:
            status = "in_force"
        out.append(
            {
                "contract": c,
                "status": status,
                "terminated_on": t.terminated_on if t else None,
                "termination_reason": t.reason if t else None,
                "files": files.get(c.id, []),
                "generator_name": names.get(c.generator_org_id, ""),
                "counterparty_name": names.get(c.counterparty_org_id, ""),
            }
        )
    return out
