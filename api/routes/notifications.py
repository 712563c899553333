"""The caller's notifications (a manifest addressed to them, a rejection, an alert assigned to
them) and marking them read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import PrincipalDep, SessionDep, permission
from schemas.common import ERROR_RESPONSES
from schemas.notification import LocalText, NotificationPublic, NotificationsPublic, NotificationsRead, UnreadCount
from waste_tracker.notification import service
from waste_tracker.notification.service import MAX_LIMIT, Notification

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"], responses=ERROR_RESPONSES)

OWN = permission("enterprise", "driver", "regulator", "admin", note="each user their own notifications")


def _public(n: Notification) -> NotificationPublic:
    return NotificationPublic(
        id=n.id,
        kind=n.kind.value,
        at=n.at,
        unread=n.unread,
        link=n.link,
        title=LocalText.model_validate(n.title),
        text=LocalText.model_validate(n.text),
        manifest_id=n.manifest_id,
        manifest_number=n.manifest_number,
        alert_id=n.alert_id,
    )


@router.get("", response_model=NotificationsPublic, openapi_extra=OWN)
async def list_notifications(
    principal: PrincipalDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=0, le=MAX_LIMIT, description="0: only the unread count")] = 50,
) -> NotificationsPublic:
    """The caller's notifications of the last 30 days, newest first, and the unread count."""
    inbox = await service.inbox(session, principal, limit=limit)
    return NotificationsPublic(items=[_public(n) for n in inbox.items], unread=inbox.unread)


@router.post("/read", response_model=UnreadCount, openapi_extra=OWN)
async def mark_read(body: NotificationsRead, principal: PrincipalDep, session: SessionDep) -> UnreadCount:
    """Mark ``ids`` read, or ``all`` of them up to now; answers the unread count left."""
    return UnreadCount(unread=await service.mark_read(session, principal, ids=body.ids, everything=body.all))
