"""Third-party audit samples: draw (with its frame, exclusions and seed recorded), close, assign
auditors for a set time, log what they read, record their findings (with attachments by SHA-256)
and raise each finding as an alert for the enterprise's county.

Who: a regulator draws for its own jurisdiction (an admin names one) and manages the samples it
drew; regulators read the samples that touch their counties; an auditor reads, while an
assignment is valid, the sample's selected enterprises and, through the manifest scope
(``manifest/access.py``), their manifests within the period. Every auditor read is a row of
``audit_read``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

import waste_tracker.audit.messages  # noqa: F401  (registers the error texts)
from waste_tracker import clock
from waste_tracker.alerts.store import raise_alert
from waste_tracker.audit import sampling
from waste_tracker.auth.principal import Principal
from waste_tracker.auth.service import _jurisdiction_scope
from waste_tracker.errors import Conflict, Forbidden, Invalid, NotFound
from waste_tracker.ids import uuid7
from waste_tracker.manifest import queries as manifest_queries
from waste_tracker.models import (
    AuditAssignment,
    AuditAttachment,
    AuditFinding,
    AuditRead,
    AuditSample,
    AuditSampleClosure,
    AuditSampleUnit,
    Manifest,
    User,
)
from waste_tracker.rules.catalogue import SEVERITY_RANK

RULE_ID = "audit_finding"
SEED = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)

# The frame: organisations with a site whose latest hazardous management plan (this year's, else
# last year's), submitted, puts it in the key class; its county is that site's (the lowest adcode
# when it has several). Size: what it transferred on manifests submitted within the period.
_FRAME = text(
    """WITH plans AS (
           SELECT DISTINCT ON (p.site_id) p.site_id, p.organisation_id, p.county_adcode, p.management_class
           FROM management_plan p
           WHERE p.kind = 'hazardous' AND p.submitted_at IS NOT NULL AND p.year IN (:y, :y - 1)
           ORDER BY p.site_id, p.year DESC
       ), keyed AS (
           SELECT organisation_id, min(county_adcode) AS county_adcode FROM plans
           WHERE management_class = 'key' AND county_adcode = ANY(:counties)
           GROUP BY organisation_id
       )
       SELECT o.id, o.uscc, o.name, k.county_adcode,
              COALESCE((SELECT sum(COALESCE(m.accepted_kg, m.received_kg, m.picked_up_kg, m.declared_kg))
                        FROM manifest m
                        WHERE m.generator_org_id = o.id AND m.submitted_at >= :lo AND m.submitted_at < :hi
                          AND m.status NOT IN ('draft', 'deleted', 'cancelled')), 0) AS size_kg
       FROM keyed k JOIN organisation o ON o.id = k.organisation_id
       ORDER BY o.uscc"""
)


@dataclass(frozen=True)
class Exclusion:
    organisation_id: uuid.UUID
    reason: str


@dataclass(frozen=True)
class DrawCommand:
    period_from: date
    period_to: date
    rate: Decimal = Decimal("0.2")
    band_small_t: Decimal = Decimal(100)
    band_large_t: Decimal = Decimal(1000)
    seed: str | None = None
    jurisdiction_adcode: int | None = None  # an admin's choice; a regulator draws for its own
    exclusions: tuple[Exclusion, ...] = ()
    note: str = ""


@dataclass
class SampleView:
    sample: AuditSample
    units: list[AuditSampleUnit]
    closed: AuditSampleClosure | None
    assignments: list[AuditAssignment] = field(default_factory=list)
    findings: list[AuditFinding] = field(default_factory=list)


# --- who -------------------------------------------------------------------------------------------


async def _counties_of(session: AsyncSession, adcode: int) -> frozenset[int]:
    return (await _jurisdiction_scope(session, adcode))[1]


def _manages(actor: Principal, s: AuditSample) -> bool:
    return actor.is_admin or (actor.is_regulator and actor.jurisdiction_adcode == s.jurisdiction_adcode)


def _granted(actor: Principal, sample_id: uuid.UUID, org_id: uuid.UUID | None = None) -> bool:
    return any(g.sample_id == sample_id and (org_id is None or g.organisation_id == org_id) for g in actor.audit_grants)


async def _readable_sample(session: AsyncSession, actor: Principal, sample_id: uuid.UUID) -> AuditSample:
    s = await session.get(AuditSample, sample_id)
    if s is None:
        raise NotFound("audit_sample", sample_id)
    if actor.is_admin or _manages(actor, s):
        return s
    if actor.is_regulator:
        scope = sorted(actor.county_scope or [])
        touches = (
            await session.execute(
                text("SELECT 1 FROM audit_sample_unit WHERE sample_id = :s AND county_adcode = ANY(:c) LIMIT 1"),
                {"s": sample_id, "c": scope},
            )
        ).first()
        if touches or s.jurisdiction_adcode in scope:
            return s
    if actor.is_auditor and _granted(actor, sample_id):
        return s
    raise NotFound("audit_sample", sample_id)


async def log_read(
    session: AsyncSession,
    actor: Principal,
    kind: str,
    object_id: Any = "",
    *,
    sample_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
) -> None:
    """One row per auditor read (other readers are not logged here)."""
    if not actor.is_auditor:
        return
    session.add(
        AuditRead(
            auditor_id=actor.user_id, sample_id=sample_id, organisation_id=organisation_id, kind=kind, object_id=str(object_id)
        )
    )
    await session.flush()


# --- the draw --------------------------------------------------------------------------------------


async def frame(session: AsyncSession, counties: frozenset[int], period_from: date, period_to: date) -> list[sampling.Unit]:
    lo, hi = clock.day_window(period_from, period_to)
    rows = await session.execute(_FRAME, {"y": period_to.year, "counties": sorted(counties), "lo": lo, "hi": hi})
    return [sampling.Unit(r.id, r.uscc, r.name, r.county_adcode, Decimal(r.size_kg)) for r in rows]


async def draw(session: AsyncSession, actor: Principal, cmd: DrawCommand) -> AuditSample:
    actor.require("regulator", "admin")
    if cmd.period_to < cmd.period_from:
        raise Invalid("audit_invalid_period", {"period_from": str(cmd.period_from), "period_to": str(cmd.period_to)})
    clock.day_window(cmd.period_from, cmd.period_to)
    if not (Decimal(0) < cmd.rate <= 1) or not (Decimal(0) < cmd.band_small_t < cmd.band_large_t):
        raise Invalid("audit_invalid_bands", {"small_t": str(cmd.band_small_t), "large_t": str(cmd.band_large_t)})
    seed = cmd.seed if cmd.seed is not None else secrets.token_hex(8)
    if not SEED.match(seed):
        raise Invalid("audit_invalid_seed", {"seed": seed[:80]})
    if actor.is_regulator:
        adcode = actor.jurisdiction_adcode
        counties = actor.county_scope or frozenset()
    elif cmd.jurisdiction_adcode is None:
        raise Invalid("audit_jurisdiction_required", {})
    else:
        adcode = cmd.jurisdiction_adcode
        counties = await _counties_of(session, adcode)
    assert adcode is not None
    units = await frame(session, counties, cmd.period_from, cmd.period_to)
    in_frame = {u.organisation_id for u in units}
    exclusions: dict[uuid.UUID, str] = {}
    for e in cmd.exclusions:
        if not e.reason.strip():
            raise Invalid("audit_exclusion_reason_missing", {"organisation_id": str(e.organisation_id)})
        if e.organisation_id not in in_frame:
            raise Invalid("audit_exclusion_not_in_frame", {"organisation_id": str(e.organisation_id)})
        exclusions[e.organisation_id] = e.reason.strip()
    drawn, strata = sampling.draw(
        units, seed=seed, rate=cmd.rate, small_t=cmd.band_small_t, large_t=cmd.band_large_t, exclusions=exclusions
    )
    s = AuditSample(
        jurisdiction_adcode=adcode,
        period_from=cmd.period_from,
        period_to=cmd.period_to,
        seed=seed,
        rate=cmd.rate,
        band_small_t=cmd.band_small_t,
        band_large_t=cmd.band_large_t,
        strata=[x.as_dict() for x in strata],
        note=cmd.note,
        drawn_by=actor.user_id,
    )
    session.add(s)
    await session.flush()
    for d in drawn:
        session.add(
            AuditSampleUnit(
                sample_id=s.id,
                organisation_id=d.unit.organisation_id,
                uscc=d.unit.uscc,
                name=d.unit.name,
                county_adcode=d.unit.county_adcode,
                band=d.band,
                size_kg=d.unit.size_kg,
                draw_key=d.draw_key,
                draw_rank=d.draw_rank,
                outcome=d.outcome,
                exclusion_reason=d.exclusion_reason,
            )
        )
    await session.flush()
    return s


async def redraw_check(session: AsyncSession, actor: Principal, sample_id: uuid.UUID) -> bool:
    """Re-run the recorded draw over the recorded frame, exclusions and seed: the same outcome?"""
    view = await get_sample(session, actor, sample_id)
    s = view.sample
    units = [sampling.Unit(u.organisation_id, u.uscc, u.name, u.county_adcode, Decimal(u.size_kg)) for u in view.units]
    excl = {u.organisation_id: u.exclusion_reason or "" for u in view.units if u.outcome == "excluded"}
    drawn, strata = sampling.draw(
        units,
        seed=s.seed,
        rate=Decimal(s.rate),
        small_t=Decimal(s.band_small_t),
        large_t=Decimal(s.band_large_t),
        exclusions=excl,
    )
    again = {d.unit.organisation_id: d.outcome for d in drawn}
    return again == {u.organisation_id: u.outcome for u in view.units} and [x.as_dict() for x in strata] == s.strata


# --- reading samples -------------------------------------------------------------------------------


async def list_samples(session: AsyncSession, actor: Principal) -> list[tuple[AuditSample, bool]]:
    """The samples the actor may read, newest first, each with whether it is closed."""
    if actor.is_auditor:
        ids = sorted({g.sample_id for g in actor.audit_grants})
        cond = "s.id = ANY(:ids)"
        params: dict[str, Any] = {"ids": ids}
    elif actor.is_admin:
        cond, params = "true", {}
    elif actor.is_regulator:
        cond = (
            "s.jurisdiction_adcode = :own OR s.jurisdiction_adcode = ANY(:c) OR EXISTS "
            "(SELECT 1 FROM audit_sample_unit u WHERE u.sample_id = s.id AND u.county_adcode = ANY(:c))"
        )
        params = {"own": actor.jurisdiction_adcode, "c": sorted(actor.county_scope or [])}
    else:
        raise Forbidden("forbidden", {"required_roles": ["regulator", "admin", "auditor"], "role": actor.role})
    rows = (
        await session.execute(
            text(
                f"SELECT s.id, EXISTS (SELECT 1 FROM audit_sample_closure c WHERE c.sample_id = s.id) AS closed "
                f"FROM audit_sample s WHERE {cond} ORDER BY s.created_at DESC, s.id DESC LIMIT 200"
            ),
            params,
        )
    ).all()
    samples = {
        x.id: x
        for x in (await session.execute(select(AuditSample).where(col(AuditSample.id).in_([r.id for r in rows])))).scalars()
    }
    await log_read(session, actor, "sample_list")
    return [(samples[r.id], bool(r.closed)) for r in rows]


async def get_sample(session: AsyncSession, actor: Principal, sample_id: uuid.UUID) -> SampleView:
    """The sample with its units (an auditor sees only the selected ones), closure, assignments
    (managers only) and findings."""
    s = await _readable_sample(session, actor, sample_id)
    units = list(
        (
            await session.execute(
                select(AuditSampleUnit)
                .where(AuditSampleUnit.sample_id == s.id)
                .order_by(col(AuditSampleUnit.county_adcode), col(AuditSampleUnit.band), col(AuditSampleUnit.draw_rank))
            )
        ).scalars()
    )
    if actor.is_auditor:
        units = [u for u in units if u.outcome == "selected"]
    closed = await session.get(AuditSampleClosure, s.id)
    view = SampleView(s, units, closed)
    if not actor.is_auditor:
        view.assignments = list(
            (
                await session.execute(
                    select(AuditAssignment).where(AuditAssignment.sample_id == s.id).order_by(col(AuditAssignment.created_at))
                )
            ).scalars()
        )
    view.findings = await list_findings(session, actor, s.id, _logged=False)
    await log_read(session, actor, "sample", s.id, sample_id=s.id)
    return view


# --- managing ----------------------------------------------------------------------------------------


async def close(session: AsyncSession, actor: Principal, sample_id: uuid.UUID, reason: str = "") -> AuditSampleClosure:
    actor.require("regulator", "admin")
    s = await _readable_sample(session, actor, sample_id)
    if not _manages(actor, s):
        raise Forbidden("forbidden", {"reason": "only the drawing jurisdiction closes its sample"})
    if await session.get(AuditSampleClosure, s.id) is not None:
        raise Conflict("audit_sample_closed", {"sample_id": str(s.id)})
    c = AuditSampleClosure(sample_id=s.id, closed_by=actor.user_id, reason=reason)
    session.add(c)
    await session.flush()
    return c


async def assign(
    session: AsyncSession,
    actor: Principal,
    sample_id: uuid.UUID,
    *,
    auditor_id: uuid.UUID,
    valid_from: date,
    valid_to: date,
    firm: str = "",
) -> AuditAssignment:
    """An auditor reads the sample from the start of ``valid_from`` to the end of ``valid_to``
    (Shanghai days)."""
    actor.require("regulator", "admin")
    s = await _readable_sample(session, actor, sample_id)
    if not _manages(actor, s):
        raise Forbidden("forbidden", {"reason": "only the drawing jurisdiction assigns auditors"})
    if await session.get(AuditSampleClosure, s.id) is not None:
        raise Conflict("audit_sample_closed", {"sample_id": str(s.id)})
    if valid_to < valid_from:
        raise Invalid("audit_invalid_validity", {"valid_from": str(valid_from), "valid_to": str(valid_to)})
    user = await session.get(User, auditor_id)
    if user is None or user.role != "auditor":
        raise Invalid("audit_not_auditor", {"user_id": str(auditor_id)})
    lo, hi = clock.day_window(valid_from, valid_to)
    a = AuditAssignment(sample_id=s.id, auditor_id=auditor_id, firm=firm, valid_from=lo, valid_to=hi, assigned_by=actor.user_id)
    session.add(a)
    await session.flush()
    return a


async def auditors(session: AsyncSession, actor: Principal) -> list[User]:
    """The auditor accounts a regulator may assign."""
    actor.require("regulator", "admin")
    return list(
        (
            await session.execute(select(User).where(User.role == "auditor", col(User.is_active)).order_by(col(User.username)))
        ).scalars()
    )


async def reads(session: AsyncSession, actor: Principal, sample_id: uuid.UUID) -> list[AuditRead]:
    """The read log of a sample, newest first (regulators and admins)."""
    actor.require("regulator", "admin")
    s = await _readable_sample(session, actor, sample_id)
    return list(
        (
            await session.execute(
                select(AuditRead)
                .where(AuditRead.sample_id == s.id)
                .order_by(col(AuditRead.created_at).desc(), col(AuditRead.id).desc())
                .limit(1000)
            )
        ).scalars()
    )


# --- the auditor's reads -----------------------------------------------------------------------------


async def _sampled_unit(session: AsyncSession, actor: Principal, sample_id: uuid.UUID, org_id: uuid.UUID) -> AuditSampleUnit:
    await _readable_sample(session, actor, sample_id)
    unit = await session.get(AuditSampleUnit, (sample_id, org_id))
    if unit is None or unit.outcome != "selected":
        raise NotFound("audit_sample_unit", org_id)
    if actor.is_auditor and not _granted(actor, sample_id, org_id):
        raise Forbidden("audit_outside_assignment", {"organisation_id": str(org_id)})
    return unit


async def enterprise_manifests(
    session: AsyncSession, actor: Principal, sample_id: uuid.UUID, org_id: uuid.UUID, limit: int = 200
) -> tuple[AuditSampleUnit, list[Manifest]]:
    """A sampled enterprise's manifests within the sample's period, read through the one manifest
    scope (an auditor's grants are part of it); logged."""
    unit = await _sampled_unit(session, actor, sample_id, org_id)
    s = await session.get(AuditSample, sample_id)
    assert s is not None
    f = manifest_queries.ManifestFilter(generator_org_id=org_id)
    rows, _ = await manifest_queries.list_manifests(session, actor, f, limit=limit)
    lo, hi = clock.day_window(s.period_from, s.period_to)
    rows = [m for m in rows if m.submitted_at is not None and lo <= m.submitted_at < hi]
    await log_read(session, actor, "manifest_list", org_id, sample_id=sample_id, organisation_id=org_id)
    return unit, rows


async def read_manifest(session: AsyncSession, actor: Principal, sample_id: uuid.UUID, manifest_id: uuid.UUID) -> Manifest:
    """One manifest of a sampled enterprise (404 outside the auditor's scope); logged."""
    s = await _readable_sample(session, actor, sample_id)
    m = await manifest_queries.get_manifest(session, actor, manifest_id)
    unit = await session.get(AuditSampleUnit, (sample_id, m.generator_org_id))
    in_period = m.submitted_at is not None and s.period_from <= clock.local_date(m.submitted_at) <= s.period_to
    granted = not actor.is_auditor or _granted(actor, sample_id, m.generator_org_id)
    if unit is None or unit.outcome != "selected" or not in_period or not granted:
        raise NotFound("manifest", manifest_id)
    await log_read(session, actor, "manifest", m.id, sample_id=sample_id, organisation_id=m.generator_org_id)
    return m


# --- findings ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttachmentIn:
    filename: str
    content: bytes


def decode_attachment(filename: str, content_base64: str) -> AttachmentIn:
    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError) as e:
        raise Invalid("validation_error", {"field": "content_base64", "reason": "not base64"}) from e
    return AttachmentIn(filename, content)


def _media_type(content: bytes) -> str:
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    for magic, media in MAGIC:
        if content.startswith(magic):
            return media
    raise Invalid("audit_attachment_type", {})


async def record_finding(
    session: AsyncSession,
    actor: Principal,
    sample_id: uuid.UUID,
    *,
    organisation_id: uuid.UUID,
    severity: str,
    text_: str,
    attachments: list[AttachmentIn] | None = None,
) -> AuditFinding:
    """An auditor's finding on a sampled enterprise it is assigned to, raised as an alert of the
    ``audit_finding`` rule for the enterprise's county (the county's regulators, the city's and
    admins read it; the enterprise does not)."""
    actor.require("auditor")
    unit = await _sampled_unit(session, actor, sample_id, organisation_id)
    if not text_.strip():
        raise Invalid("audit_finding_empty", {})
    if severity not in SEVERITY_RANK:
        raise Invalid("validation_error", {"field": "severity", "reason": "critical, warning or info"})
    checked = []
    for a in attachments or []:
        if len(a.content) > MAX_ATTACHMENT_BYTES:
            raise Invalid("audit_attachment_too_large", {"max_mb": MAX_ATTACHMENT_BYTES // (1024 * 1024)})
        checked.append((a, _media_type(a.content)))
    # The alert first (its subject names the finding's id), then the finding with its alert: the
    # finding row is append-only, written once, complete.
    finding_id = uuid7()
    s = await session.get(AuditSample, sample_id)
    assert s is not None
    auditor = await session.get(User, actor.user_id)
    alert_id = await raise_alert(
        session,
        rule_id=RULE_ID,
        subject_key=f"audit_finding:{finding_id}",
        severity=severity,
        rank=SEVERITY_RANK[severity],
        evidence={
            "audited_org_id": str(organisation_id),
            "uscc": unit.uscc,
            "finding": text_.strip(),
            "auditor": auditor.display_name if auditor else actor.username,
            "audit_period": f"{s.period_from} – {s.period_to}",
            "attachments": len(checked),
        },
        signature={"finding": str(finding_id)},
        now=clock.now(),
        generator_county=unit.county_adcode,
    )
    finding = AuditFinding(
        id=finding_id,
        sample_id=sample_id,
        organisation_id=organisation_id,
        auditor_id=actor.user_id,
        severity=severity,
        text=text_.strip(),
        alert_id=alert_id,
    )
    session.add(finding)
    await session.flush()
    for a, media in checked:
        session.add(
            AuditAttachment(
                finding_id=finding.id,
                sha256=hashlib.sha256(a.content).hexdigest(),
                filename=a.filename[:200] or "attachment",
                media_type=media,
                size=len(a.content),
                content=a.content,
            )
        )
    await session.flush()
    return finding


async def list_findings(
    session: AsyncSession, actor: Principal, sample_id: uuid.UUID, *, _logged: bool = True
) -> list[AuditFinding]:
    s = await _readable_sample(session, actor, sample_id)
    stmt = select(AuditFinding).where(AuditFinding.sample_id == s.id).order_by(col(AuditFinding.created_at))
    if actor.is_auditor:
        stmt = stmt.where(
            col(AuditFinding.organisation_id).in_([g.organisation_id for g in actor.audit_grants if g.sample_id == s.id])
        )
    elif actor.is_regulator and not _manages(actor, s):
        units = select(AuditSampleUnit.organisation_id).where(
            AuditSampleUnit.sample_id == s.id, col(AuditSampleUnit.county_adcode).in_(sorted(actor.county_scope or []))
        )
        stmt = stmt.where(col(AuditFinding.organisation_id).in_(units))
    rows = list((await session.execute(stmt)).scalars())
    if _logged:
        await log_read(session, actor, "finding_list", s.id, sample_id=s.id)
    return rows


async def attachments_of(session: AsyncSession, finding_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[AuditAttachment]]:
    out: dict[uuid.UUID, list[AuditAttachment]] = {}
    if not finding_ids:
        return out
    rows = await session.execute(
        select(AuditAttachment).where(col(AuditAttachment.finding_id).in_(finding_ids)).order_by(col(AuditAttachment.created_at))
    )
    for a in rows.scalars():
        out.setdefault(a.finding_id, []).append(a)
    return out


async def get_attachment(session: AsyncSession, actor: Principal, attachment_id: uuid.UUID) -> AuditAttachment:
    a = await session.get(AuditAttachment, attachment_id)
    if a is None:
        raise NotFound("audit_attachment", attachment_id)
    finding = await session.get(AuditFinding, a.finding_id)
    assert finding is not None
    try:
        visible = {x.id for x in await list_findings(session, actor, finding.sample_id, _logged=False)}
    except NotFound:
        visible = set()
    if finding.id not in visible:
        raise NotFound("audit_attachment", attachment_id)
    await log_read(session, actor, "attachment", a.id, sample_id=finding.sample_id, organisation_id=finding.organisation_id)
    return a
