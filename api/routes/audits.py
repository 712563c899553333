"""/api/v1/audit-samples: third-party audit sampling — draw, list, read, close, assign auditors,
the read log; the auditor's reads (a sampled enterprise's manifests, logged) and findings."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, Response

from api.deps import PrincipalDep, SessionDep, permission
from schemas.audit import (
    AssignmentCreate,
    AssignmentPublic,
    AttachmentPublic,
    ClosureIn,
    FindingCreate,
    FindingPublic,
    ReadPublic,
    SampleCreate,
    SampleDetail,
    SamplePublic,
    SampleUnitPublic,
)
from schemas.common import ERROR_RESPONSES
from schemas.manifest import LinePublic, ManifestPublic, ManifestsPublic, ManifestSummary
from waste_tracker.audit import service
from waste_tracker.manifest import queries
from waste_tracker.models import AuditFinding, AuditSample

router = APIRouter(prefix="/api/v1", tags=["audits"], responses=ERROR_RESPONSES)

MANAGERS = permission("regulator", "admin", note="the drawing jurisdiction's regulators")
READERS = permission("regulator", "admin", "auditor", note="regulators of the sample's counties; auditors while assigned")
AUDITOR = permission("auditor", note="an auditor assigned to the sample, while the assignment is valid; every read logged")


def _public(s: AuditSample, closed: bool) -> SamplePublic:
    return SamplePublic.model_validate({**s.model_dump(), "closed": closed})


async def _findings(session: SessionDep, rows: list[AuditFinding]) -> list[FindingPublic]:
    files = await service.attachments_of(session, [f.id for f in rows])
    return [
        FindingPublic.model_validate(
            {**f.model_dump(), "attachments": [AttachmentPublic.model_validate(a) for a in files.get(f.id, [])]}
        )
        for f in rows
    ]


@router.post("/audit-samples", response_model=SampleDetail, status_code=201, openapi_extra=MANAGERS)
async def draw_sample(body: SampleCreate, principal: PrincipalDep, session: SessionDep) -> SampleDetail:
    """Draw a stratified sample of key enterprises (county × size band) with a recorded seed."""
    cmd = service.DrawCommand(
        period_from=body.period_from,
        period_to=body.period_to,
        rate=body.rate,
        band_small_t=body.band_small_t,
        band_large_t=body.band_large_t,
        seed=body.seed,
        jurisdiction_adcode=body.jurisdiction_adcode,
        exclusions=tuple(service.Exclusion(e.organisation_id, e.reason) for e in body.exclusions),
        note=body.note,
    )
    s = await service.draw(session, principal, cmd)
    return await _detail(session, principal, s.id)


async def _detail(session: SessionDep, principal: PrincipalDep, sample_id: uuid.UUID, check: bool = False) -> SampleDetail:
    view = await service.get_sample(session, principal, sample_id)
    return SampleDetail.model_validate(
        {
            **_public(view.sample, view.closed is not None).model_dump(),
            "units": [SampleUnitPublic.model_validate(u) for u in view.units],
            "assignments": [AssignmentPublic.model_validate(a) for a in view.assignments],
            "findings": await _findings(session, view.findings),
            "reproducible": await service.redraw_check(session, principal, sample_id) if check else None,
        }
    )


@router.get("/audit-samples", response_model=list[SamplePublic], openapi_extra=READERS)
async def list_samples(principal: PrincipalDep, session: SessionDep) -> list[SamplePublic]:
    return [_public(s, closed) for s, closed in await service.list_samples(session, principal)]


@router.get("/audit-samples/{sample_id}", response_model=SampleDetail, openapi_extra=READERS)
async def get_sample(
    sample_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    check: bool = Query(default=False, description="Re-run the recorded draw and say whether it gives the same sample"),
) -> SampleDetail:
    return await _detail(session, principal, sample_id, check and not principal.is_auditor)


@router.post("/audit-samples/{sample_id}/close", status_code=204, openapi_extra=MANAGERS)
async def close_sample(sample_id: uuid.UUID, body: ClosureIn, principal: PrincipalDep, session: SessionDep) -> Response:
    await service.close(session, principal, sample_id, body.reason)
    return Response(status_code=204)


@router.post("/audit-samples/{sample_id}/assignments", response_model=AssignmentPublic, status_code=201, openapi_extra=MANAGERS)
async def assign_auditor(
    sample_id: uuid.UUID, body: AssignmentCreate, principal: PrincipalDep, session: SessionDep
) -> AssignmentPublic:
    a = await service.assign(
        session,
        principal,
        sample_id,
        auditor_id=body.auditor_id,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        firm=body.firm,
    )
    return AssignmentPublic.model_validate(a)


@router.get("/audit-samples/{sample_id}/reads", response_model=list[ReadPublic], openapi_extra=MANAGERS)
async def sample_reads(sample_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> list[ReadPublic]:
    """Everything auditors read in this sample, newest first."""
    return [ReadPublic.model_validate(r) for r in await service.reads(session, principal, sample_id)]


@router.get(
    "/audit-samples/{sample_id}/enterprises/{organisation_id}/manifests", response_model=ManifestsPublic, openapi_extra=READERS
)
async def enterprise_manifests(
    sample_id: uuid.UUID, organisation_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> ManifestsPublic:
    """A sampled enterprise's manifests submitted within the sample's period (read-only; logged)."""
    _, rows = await service.enterprise_manifests(session, principal, sample_id, organisation_id)
    return ManifestsPublic(items=[ManifestSummary.model_validate(m, from_attributes=True) for m in rows], next_cursor=None)


@router.get("/audit-samples/{sample_id}/manifests/{manifest_id}", response_model=ManifestPublic, openapi_extra=READERS)
async def sample_manifest(
    sample_id: uuid.UUID, manifest_id: uuid.UUID, principal: PrincipalDep, session: SessionDep
) -> ManifestPublic:
    """One manifest of a sampled enterprise, with its lines (read-only; logged)."""
    m = await service.read_manifest(session, principal, sample_id, manifest_id)
    data = await queries.describe(session, m)
    data["lines"] = [LinePublic.model_validate(ln) for ln in data["lines"]]
    data["label_url"] = None
    return ManifestPublic.model_validate(data)


@router.get("/audit-samples/{sample_id}/findings", response_model=list[FindingPublic], openapi_extra=READERS)
async def list_findings(sample_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> list[FindingPublic]:
    return await _findings(session, await service.list_findings(session, principal, sample_id))


@router.post("/audit-samples/{sample_id}/findings", response_model=FindingPublic, status_code=201, openapi_extra=AUDITOR)
async def record_finding(
    sample_id: uuid.UUID, body: FindingCreate, principal: PrincipalDep, session: SessionDep
) -> FindingPublic:
    """A finding on a sampled enterprise, with attachments (kept by SHA-256); raised as an alert
    (rule ``audit_finding``) for the enterprise's county regulator."""
    files = [service.decode_attachment(a.filename, a.content_base64) for a in body.attachments]
    f = await service.record_finding(
        session,
        principal,
        sample_id,
        organisation_id=body.organisation_id,
        severity=body.severity,
        text_=body.text,
        attachments=files,
    )
    return (await _findings(session, [f]))[0]


@router.get(
    "/audit-attachments/{attachment_id}",
    openapi_extra=READERS,
    responses={200: {"content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {}}, "description": "the file as sent"}},
)
async def get_attachment(attachment_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> Response:
    """A finding's attachment as sent (its SHA-256 is in the finding)."""
    a = await service.get_attachment(session, principal, attachment_id)
    return Response(
        a.content,
        media_type=a.media_type,
        headers={"X-Content-SHA256": a.sha256, "Content-Disposition": "attachment", "Cache-Control": "private, no-store"},
    )
