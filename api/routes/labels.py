"""Manifest labels: the QR (PNG, SVG) and a printable HTML label."""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.deps import PrincipalDep, SessionDep, SettingsDep, permission
from api.errors import lang_of
from schemas.common import ERROR_RESPONSES
from waste_tracker.manifest import labels

router = APIRouter(prefix="/api/v1/manifests", tags=["labels"], responses=ERROR_RESPONSES)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
READERS = permission("enterprise", "driver", "regulator", "admin", note="whoever may read the manifest")


@router.get(
    "/{manifest_id}/label.png",
    openapi_extra=READERS,
    responses={200: {"content": {"image/png": {}}, "description": "QR code with the manifest number"}},
)
async def label_png(manifest_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, settings: SettingsDep) -> Response:
    m, url = await labels.labelled(session, principal, manifest_id, settings)
    return Response(
        labels.label_png(url, m.number or ""), media_type="image/png", headers={"Cache-Control": "private, max-age=300"}
    )


@router.get(
    "/{manifest_id}/label.svg",
    openapi_extra=READERS,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "QR code"}},
)
async def label_svg(manifest_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, settings: SettingsDep) -> Response:
    _, url = await labels.labelled(session, principal, manifest_id, settings)
    return Response(labels.label_svg(url), media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=300"})


@router.get("/{manifest_id}/label", response_class=HTMLResponse, name="manifest_label_html", openapi_extra=READERS)
async def label_html(
    manifest_id: uuid.UUID, request: Request, principal: PrincipalDep, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    """A print-ready label: number, parties, waste lines, hazard characteristics and the QR code."""
    lang = lang_of(request)
    card = await labels.label_card(session, principal, manifest_id, settings, lang)
    lt = card["lt"]
    return templates.TemplateResponse(
        request,
        "label.html",
        {
            **card,
            "title": lt["title"] if card["m"].kind == "hazardous" else lt["title_general"],
            "qty": lambda kg: f"{kg:.3f} kg",
            "lang": lang,
        },
    )
