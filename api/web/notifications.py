"""The notifications page: what concerns the reader (a manifest coming to them, a rejection, an
alert assigned to them), unread ones first to the eye; marking read goes through the JSON API."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import SessionDep, permission
from api.web.render import WebPrincipal, WebRoute, render
from waste_tracker.notification import service

router = APIRouter(route_class=WebRoute, include_in_schema=False)

PAGE_SIZE = 100


@router.get("/notifications", openapi_extra=permission("enterprise", "driver", "regulator", "admin", note="web page; own"))
async def notifications_page(request: Request, principal: WebPrincipal, session: SessionDep) -> Response:
    return render(request, "notifications.html", inbox=await service.inbox(session, principal, limit=PAGE_SIZE))
