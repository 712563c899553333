"""What anyone may read without an account: the daily anchors, for third parties to copy."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Response

from api.deps import PUBLIC, SessionDep
from schemas.anchor import AnchorsPublic
from waste_tracker import clock
from waste_tracker.manifest import anchors

router = APIRouter(prefix="/public", tags=["public"])


@router.get("/anchors", response_model=AnchorsPublic, openapi_extra=PUBLIC)
async def public_anchors(
    session: SessionDep, response: Response, since: date | None = None, until: date | None = None
) -> AnchorsPublic:
    """Every day's Merkle root of the events recorded that day (Asia/Shanghai), oldest first, each
    with the previous day's root. Copy it (or run `waste-tracker anchor export`) and keep the copy:
    `waste-tracker verify --all --anchors COPY` then shows whether any recorded day was rewritten."""
    response.headers["Cache-Control"] = "public, max-age=300"
    doc = anchors.export_document(await anchors.published(session, since, until), clock.now())
    return AnchorsPublic.model_validate(doc)
