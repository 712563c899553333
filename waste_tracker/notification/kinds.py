"""What a user is notified of, as one table: each kind says which event (or alert step) raises
it, which party of the manifest is told, and its text in both languages.

A notification is never stored. It is the event that already is the record, seen from the side of
the party it concerns: a manifest submitted to a receiver is the receiver's "incoming load" and
the carrier's "load to carry"; a rejection is the generator's. The texts are formatted with the
manifest's number, the parties' names as submitted and the event's own details.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from waste_tracker.i18n import DEFAULT_LANG, LANGS, _Safe
from waste_tracker.manifest.lifecycle import EventType


class Kind(StrEnum):
    MANIFEST_INCOMING = "manifest_incoming"  # receiver: a manifest was submitted to it
    MANIFEST_DELIVERED = "manifest_delivered"  # receiver: the load was dropped off, to weigh and confirm
    MANIFEST_TO_CARRY = "manifest_to_carry"  # carrier (office and drivers): a manifest names it as a carrier
    RETURN_TO_CARRY = "return_to_carry"  # carrier: a rejected load is to be carried back
    MANIFEST_REJECTED = "manifest_rejected"  # generator: the receiver refused the load
    MANIFEST_PARTIAL = "manifest_partial"  # generator: the receiver accepted only part of it
    ALERT_ASSIGNED = "alert_assigned"  # regulator: an alert was assigned to them


class Party(StrEnum):
    """Which of a manifest's organisations is told."""

    GENERATOR = "generator"
    CARRIER = "carrier"  # the first carrier and each listed to take over (Art. 17)
    RECEIVER = "receiver"


# The parties a role can be told as: a driver only as its carrier; an enterprise user as whichever
# sides its organisation is on.
PARTIES_OF_ROLE: dict[str, tuple[Party, ...]] = {
    "enterprise": (Party.GENERATOR, Party.CARRIER, Party.RECEIVER),
    "driver": (Party.CARRIER,),
}


@dataclass(frozen=True)
class FromEvent:
    """A manifest event of type ``event`` (with this ``decision``, if given) tells ``party``."""

    kind: Kind
    event: EventType
    party: Party
    decision: str | None = None


FROM_EVENTS: tuple[FromEvent, ...] = (
    FromEvent(Kind.MANIFEST_INCOMING, EventType.SUBMITTED, Party.RECEIVER),
    FromEvent(Kind.MANIFEST_TO_CARRY, EventType.SUBMITTED, Party.CARRIER),
    FromEvent(Kind.MANIFEST_DELIVERED, EventType.DROPPED_OFF, Party.RECEIVER),
    FromEvent(Kind.MANIFEST_REJECTED, EventType.RECEIVED, Party.GENERATOR, decision="rejected"),
    FromEvent(Kind.MANIFEST_PARTIAL, EventType.RECEIVED, Party.GENERATOR, decision="partial"),
    FromEvent(Kind.RETURN_TO_CARRY, EventType.RETURN_REQUESTED, Party.CARRIER),
)

TEXTS: dict[Kind, dict[str, str]] = {
    Kind.MANIFEST_INCOMING: {
        "zh-CN": "{generator}提交了转移联单 {number}，废物将运往贵单位（计划 {planned} 提运）。",
        "en": "{generator} submitted manifest {number}: the waste is coming to you (pickup planned {planned}).",
    },
    Kind.MANIFEST_DELIVERED: {
        "zh-CN": "联单 {number} 的废物已送达，请过磅并确认接收。",
        "en": "The load of manifest {number} was dropped off: weigh it and confirm receipt.",
    },
    Kind.MANIFEST_TO_CARRY: {
        "zh-CN": "联单 {number} 由贵单位运输：{generator} → {receiver}，计划 {planned} 提运。",
        "en": "Manifest {number} is yours to carry: {generator} → {receiver}, pickup planned {planned}.",
    },
    Kind.RETURN_TO_CARRY: {
        "zh-CN": "联单 {number} 被拒收，请将废物从{receiver}运回{generator}。",
        "en": "Manifest {number} was rejected: carry the waste back from {receiver} to {generator}.",
    },
    Kind.MANIFEST_REJECTED: {
        "zh-CN": "{receiver}拒收了联单 {number}：{reason}。请安排退回或转运至其他单位。",
        "en": "{receiver} rejected manifest {number}: {reason}. Have it returned or sent to another receiver.",
    },
    Kind.MANIFEST_PARTIAL: {
        "zh-CN": "{receiver}只接收了联单 {number} 的一部分：{reason}。请安排未接收部分退回或转运。",
        "en": "{receiver} accepted only part of manifest {number}: {reason}. Have the rest returned or sent elsewhere.",
    },
    Kind.ALERT_ASSIGNED: {
        "zh-CN": "预警“{title}”已指派给您处理{about}。",
        "en": "The alert “{title}” was assigned to you{about}.",
    },
}

# Pieces of a text that depend on what the item is about.
ABOUT_MANIFEST = {"zh-CN": "（联单 {number}）", "en": " (manifest {number})"}


def texts(kind: Kind, values: dict[str, dict[str, Any] | Any]) -> dict[str, str]:
    """The kind's text in every language. A value given per language (a dict keyed by language)
    is taken in that language; a missing placeholder stays visible rather than raising."""
    out = {}
    for lang in LANGS:
        per = {k: (v.get(lang, v.get(DEFAULT_LANG, "")) if isinstance(v, dict) else v) for k, v in values.items()}
        out[lang] = TEXTS[kind][lang].format_map(_Safe({k: "" if v is None else v for k, v in per.items()}))
    return out
