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
from waste_tracker.errors import Conflict
from waste_tracker.manifest import labels, queries, service
from waste_tracker.models import Manifest
from waste_tracker.scan.tokens import make_token, scan_url

router = APIRouter(prefix="/api/v1/manifests", tags=["labels"], responses=ERROR_RESPONSES)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
READERS = permission("enterprise", "driver", "regulator", "admin", note="whoever may read the manifest")

TEXT = {
    "zh-CN": {
        "title": "危险废物转移联单标签",
        "title_general": "一般工业固体废物转移联单标签",
        "kind_hazardous": "危险废物",
        "kind_general": "一般工业固体废物",
        "qr": "扫码交接",
        "number": "联单编号",
        "generator": "移出单位",
        "receiver": "接受单位",
        "carrier": "承运单位",
        "pickup_date": "计划转移日期",
        "emergency": "应急措施",
        "code": "废物代码",
        "description": "废物名称",
        "hazards": "危险特性",
        "quantity": "数量",
        "containers": "包装",
    },
    "en": {
        "title": "Hazardous waste transfer manifest label",
        "title_general": "General solid waste transfer manifest label",
        "kind_hazardous": "HAZARDOUS WASTE",
        "kind_general": "General industrial solid waste",
        "qr": "Scan to hand over",
        "number": "Manifest no.",
        "generator": "Consignor",
        "receiver": "Receiver",
        "carrier": "Carrier",
        "pickup_date": "Planned pickup",
        "emergency": "Emergency measures",
        "code": "Code",
        "description": "Waste",
        "hazards": "Hazards",
        "quantity": "Quantity",
        "containers": "Packaging",
    },
}


async def _labelled(session, principal, manifest_id: uuid.UUID, settings) -> tuple[Manifest, str]:  # type: ignore[no-untyped-def]
    m = await service.get_manifest(session, principal, manifest_id)
    if not m.number:
        raise Conflict("manifest_not_submitted", {"status": m.status})
    token = make_token(settings.secret_key, m.id, m.number)
    return m, scan_url(settings.public_base_url, m.number, token)


@router.get(
    "/{manifest_id}/label.png",
    openapi_extra=READERS,
    responses={200: {"content": {"image/png": {}}, "description": "QR code with the manifest number"}},
)
async def label_png(manifest_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, settings: SettingsDep) -> Response:
    m, url = await _labelled(session, principal, manifest_id, settings)
    return Response(
        labels.label_png(url, m.number or ""), media_type="image/png", headers={"Cache-Control": "private, max-age=300"}
    )


@router.get(
    "/{manifest_id}/label.svg",
    openapi_extra=READERS,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "QR code"}},
)
async def label_svg(manifest_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, settings: SettingsDep) -> Response:
    _, url = await _labelled(session, principal, manifest_id, settings)
    return Response(labels.label_svg(url), media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=300"})


@router.get("/{manifest_id}/label", response_class=HTMLResponse, name="manifest_label_html", openapi_extra=READERS)
async def label_html(
    manifest_id: uuid.UUID, request: Request, principal: PrincipalDep, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    """A print-ready label: number, parties, waste lines, hazard characteristics and the QR code."""
    m, url = await _labelled(session, principal, manifest_id, settings)
    d = await queries.describe(session, m)
    lang = lang_of(request)
    lt = TEXT.get(lang, TEXT["zh-CN"])
    return templates.TemplateResponse(
        request,
        "label.html",
        {
            "m": m,
            "d": d,
            "lines": d["lines"],
            "qr_svg": labels.qr_svg_inline(url),
            "scan_url": url,
            "lt": lt,
            "title": lt["title"] if m.kind == "hazardous" else lt["title_general"],
            "qty": lambda kg: f"{kg:.3f} kg",
            "lang": lang,
        },
    )
