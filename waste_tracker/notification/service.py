"""A user's notifications: the list (newest first, each read or unread), the unread count, and
marking read — one by one or everything so far. Marks are the user's own rows, only ever added:
the events and alerts they are about are never touched."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker import clock
from waste_tracker.auth.principal import Principal
from waste_tracker.errors import Invalid, NotFound
from waste_tracker.i18n import LANGS, RESOURCES, register
from waste_tracker.models import NotificationRead, NotificationReadAll
from waste_tracker.notification import queries
from waste_tracker.notification.kinds import ABOUT_MANIFEST, Kind, texts
from waste_tracker.rules.catalogue import title as rule_title

MAX_LIMIT = 200
MAX_IDS = 200
_ID = re.compile(r"(?P<kind>[a-z_]{1,32}):[0-9a-f-]{1,36}:\d{1,12}")
_KINDS = frozenset(k.value for k in Kind)

RESOURCES["notification"] = {"zh-CN": "通知", "en": "Notification"}  # what a not_found names

register(
    {
        "notification_read_target": {
            "zh-CN": "请指明要标为已读的通知，或选择全部标为已读。",
            "en": "Name the notifications to mark read, or mark them all.",
        },
        "invalid_notification_id": {
            "zh-CN": "通知编号“{id}”格式不正确。",
            "en": "“{id}” is not a notification id.",
        },
        "too_many_notification_ids": {
            "zh-CN": "一次最多标记 {max} 条通知。",
            "en": "At most {max} notifications can be marked at once.",
        },
    }
)


@dataclass(frozen=True)
class Notification:
    id: str
    kind: Kind
    at: datetime
    unread: bool
    link: str  # the page it is about
    title: dict[str, str]  # the manifest's number, or the alert's title, per language
    text: dict[str, str]  # what happened, per language
    manifest_id: uuid.UUID | None = None
    manifest_number: str | None = None
    alert_id: int | None = None


@dataclass(frozen=True)
class Inbox:
    items: list[Notification]
    unread: int


def _name(parties: dict[str, Any] | None, side: str) -> str:
    return str(((parties or {}).get(side) or {}).get("organisation_name") or "")


def _notification(row: dict[str, Any]) -> Notification:
    kind = Kind(row["kind"])
    number = row["number"] or ""
    if kind is Kind.ALERT_ASSIGNED:
        title = {lang: rule_title(row["rule_id"], lang) for lang in LANGS}
        about = {lang: ABOUT_MANIFEST[lang].format(number=number) if number else "" for lang in LANGS}
        values: dict[str, Any] = {"title": title, "about": about}
        link = f"/reg/alerts/{row['alert_id']}"
    else:
        title = dict.fromkeys(LANGS, number)
        p = row["parties"]
        values = {
            "number": number,
            "generator": _name(p, "generator"),
            "carrier": _name(p, "carrier"),
            "receiver": _name(p, "receiver"),
            "planned": row["planned"].isoformat() if row["planned"] else "",
            "reason": row["reason"] or "",
        }
        link = f"/m/{row['manifest_id']}"
    return Notification(
        id=row["id"],
        kind=kind,
        at=row["at"],
        unread=bool(row["unread"]),
        link=link,
        title=title,
        text=texts(kind, values),
        manifest_id=row["manifest_id"],
        manifest_number=row["number"],
        alert_id=row["alert_id"],
    )


async def inbox(session: AsyncSession, actor: Principal, *, limit: int = 50) -> Inbox:
    """The actor's notifications of the last 30 days, newest first (at most ``limit``), and how
    many of them are unread."""
    now = clock.now()
    limit = max(0, min(limit, MAX_LIMIT))
    rows = await queries.newest(session, actor, now, limit)
    return Inbox(items=[_notification(r) for r in rows], unread=await queries.count_unread(session, actor, now))


async def unread_count(session: AsyncSession, actor: Principal) -> int:
    return await queries.count_unread(session, actor, clock.now())


async def mark_read(session: AsyncSession, actor: Principal, *, ids: Sequence[str] = (), everything: bool = False) -> int:
    """Mark the named notifications read, or ``everything`` up to now; returns the unread count.
    Marking what is already read changes nothing; an id that is not one of the actor's
    notifications is ``not_found`` (nobody marks another's)."""
    ids = list(dict.fromkeys(ids))
    if everything == bool(ids):
        raise Invalid("notification_read_target", {"all": everything, "ids": len(ids)})
    now = clock.now()
    if everything:
        stmt = insert(NotificationReadAll).values(user_id=actor.user_id, up_to=now, read_at=now)
        await session.execute(stmt.on_conflict_do_nothing())
    else:
        if len(ids) > MAX_IDS:
            raise Invalid("too_many_notification_ids", {"max": MAX_IDS, "given": len(ids)})
        for i in ids:
            found = _ID.fullmatch(i)
            if found is None or found["kind"] not in _KINDS:
                raise Invalid("invalid_notification_id", {"id": i[:100]})
        mine = await queries.existing(session, actor, now, ids)
        missing = [i for i in ids if i not in mine]
        if missing:
            raise NotFound("notification", missing[0])
        stmt = insert(NotificationRead).values([{"user_id": actor.user_id, "item_id": i, "read_at": now} for i in ids])
        await session.execute(stmt.on_conflict_do_nothing())
    await session.flush()
    return await queries.count_unread(session, actor, now)
