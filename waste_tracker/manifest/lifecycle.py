"""The manifest's life as data: statuses, the transition table, and two pure functions.

``decide(state, action)`` says whether an action is allowed now (or raises ``invalid_transition``
naming the status and the actions allowed); ``evolve(state, event)`` folds one event into the
state. ``replay(events)`` is the projection that the ``manifest`` row caches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from waste_tracker.errors import Conflict


class Status(StrEnum):
    DRAFT = "draft"
    DELETED = "deleted"  # a draft thrown away (kept: nothing is lost)
    SUBMITTED = "submitted"
    CANCELLED = "cancelled"
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    RECEIVED = "received"  # accepted or partially accepted
    REJECTED = "rejected"
    COMPLETED = "completed"
    RETURN_REQUESTED = "return_requested"
    RETURNING = "returning"
    RETURNED = "returned"
    REDIRECTED = "redirected"


class Action(StrEnum):
    UPDATE = "update"
    DELETE = "delete"
    SUBMIT = "submit"
    CANCEL = "cancel"
    PICKUP = "pickup"
    DROPOFF = "dropoff"
    RECEIVE = "receive"
    DISPOSE = "dispose"
    RETURN = "return"
    REDIRECT = "redirect"


# Who acts: the generator's, carrier's (its drivers) or receiver's side of the manifest.
ACTOR = {
    Action.UPDATE: "generator",
    Action.DELETE: "generator",
    Action.SUBMIT: "generator",
    Action.CANCEL: "generator",
    Action.RETURN: "generator",
    Action.REDIRECT: "generator",
    Action.PICKUP: "carrier",
    Action.DROPOFF: "carrier",
    Action.RECEIVE: "receiver",
    Action.DISPOSE: "receiver",
}

# The transition table: (status, action) -> event type recorded. ``return``/``redirect`` from
# ``received``/``completed`` apply only to the rejected remainder of a partial acceptance, which
# travels on a new linked manifest (see ``allowed``).
TRANSITIONS: dict[tuple[Status, Action], str] = {
    (Status.DRAFT, Action.UPDATE): "draft_updated",
    (Status.DRAFT, Action.DELETE): "draft_deleted",
    (Status.DRAFT, Action.SUBMIT): "submitted",
    (Status.SUBMITTED, Action.CANCEL): "cancelled",
    (Status.SUBMITTED, Action.PICKUP): "picked_up",
    (Status.IN_TRANSIT, Action.DROPOFF): "dropped_off",
    (Status.DELIVERED, Action.RECEIVE): "received",
    (Status.RECEIVED, Action.DISPOSE): "disposed",
    (Status.REJECTED, Action.RETURN): "return_requested",
    (Status.REJECTED, Action.REDIRECT): "redirected",
    (Status.RETURN_REQUESTED, Action.PICKUP): "return_picked_up",
    (Status.RETURNING, Action.DROPOFF): "returned",
    (Status.RECEIVED, Action.RETURN): "remainder_returned",
    (Status.RECEIVED, Action.REDIRECT): "remainder_redirected",
    (Status.COMPLETED, Action.RETURN): "remainder_returned",
    (Status.COMPLETED, Action.REDIRECT): "remainder_redirected",
}

TERMINAL = {Status.DELETED, Status.CANCELLED, Status.COMPLETED, Status.RETURNED, Status.REDIRECTED}
# The label's QR token stops working in these.
TOKEN_DEAD = {Status.CANCELLED, Status.COMPLETED, Status.DELETED, Status.RETURNED, Status.REDIRECTED}


@dataclass(frozen=True)
class ManifestState:
    status: Status | None = None
    purpose: str = "transfer"
    version: int = 0
    decision: str | None = None  # accepted | partial | rejected
    remainder_open: bool = False
    declared_kg: Decimal = Decimal(0)
    picked_up_kg: Decimal | None = None
    received_kg: Decimal | None = None
    accepted_kg: Decimal | None = None
    disposed_kg: Decimal | None = None
    vehicle_plate: str | None = None
    number: str | None = None
    child_manifest_id: str | None = None
    submitted_at: datetime | None = None
    picked_up_at: datetime | None = None
    delivered_at: datetime | None = None
    received_at: datetime | None = None
    rejected_at: datetime | None = None
    completed_at: datetime | None = None
    closed_at: datetime | None = None
    updated_at: datetime | None = None


_FIELD_NAMES = frozenset(f.name for f in fields(ManifestState))


def replace(state: ManifestState, **changes: Any) -> ManifestState:
    """``dataclasses.replace`` for ``ManifestState`` without the generic machinery: ``evolve``
    calls it twice per event, and folding millions of events (bulk loads, replays) is dominated
    by it otherwise."""
    if not changes.keys() <= _FIELD_NAMES:
        raise TypeError(f"unknown ManifestState fields: {sorted(changes.keys() - _FIELD_NAMES)}")
    new = object.__new__(ManifestState)
    d = new.__dict__
    d.update(state.__dict__)
    d.update(changes)
    return new


def allowed(state: ManifestState) -> list[Action]:
    """The actions allowed in this state, in table order."""
    out = []
    for (status, action), _ in TRANSITIONS.items():
        if status != state.status:
            continue
        if (
            status in (Status.RECEIVED, Status.COMPLETED)
            and action in (Action.RETURN, Action.REDIRECT)
            and not state.remainder_open
        ):
            continue
        out.append(action)
    return out


def decide(state: ManifestState, action: Action) -> str:
    """The event type that ``action`` records now, or ``invalid_transition`` (409)."""
    if action not in allowed(state):
        raise Conflict(
            "invalid_transition",
            {
                "status": str(state.status) if state.status else None,
                "action": str(action),
                "allowed": [str(a) for a in allowed(state)],
            },
        )
    if state.purpose == "return" and (state.status, action) == (Status.IN_TRANSIT, Action.DROPOFF):
        return "returned"  # a return trip ends at the generator's own site
    return TRANSITIONS[(state.status, action)]  # type: ignore[index]


def _dec(v: Any) -> Decimal | None:
    return None if v is None else Decimal(str(v))


def evolve(state: ManifestState, event: Mapping[str, Any]) -> ManifestState:
    """Fold one event (``type``, ``seq``, ``server_time``, ``payload``, ``vehicle_plate``)."""
    t: str = event["type"]
    p: Mapping[str, Any] = event.get("payload") or {}
    at: datetime = event["server_time"]
    s = replace(state, version=event["seq"], updated_at=at)
    if t == "created":
        return replace(
            s,
            status=Status.DRAFT,
            purpose=p.get("purpose", "transfer"),
            declared_kg=_dec(p["declared_kg"]) or Decimal(0),
        )
    if t == "draft_updated":
        return replace(s, declared_kg=_dec(p.get("declared_kg")) or s.declared_kg)
    if t == "draft_deleted":
        return replace(s, status=Status.DELETED, closed_at=at)
    if t == "submitted":
        return replace(
            s,
            status=Status.SUBMITTED,
            number=p["number"],
            submitted_at=at,
            declared_kg=_dec(p["declared_kg"]) or s.declared_kg,
        )
    if t == "cancelled":
        return replace(s, status=Status.CANCELLED, closed_at=at)
    if t == "picked_up":
        return replace(
            s,
            status=Status.IN_TRANSIT,
            picked_up_at=at,
            vehicle_plate=event.get("vehicle_plate"),
            picked_up_kg=_dec(p.get("quantity_kg")),
        )
    if t == "dropped_off":
        return replace(s, status=Status.DELIVERED, delivered_at=at)
    if t == "received":
        decision = p["decision"]
        received, accepted = _dec(p["received_kg"]), _dec(p["accepted_kg"])
        if decision == "rejected":
            return replace(
                s, status=Status.REJECTED, decision=decision, received_kg=received, accepted_kg=accepted, rejected_at=at
            )
        return replace(
            s,
            status=Status.RECEIVED,
            decision=decision,
            received_kg=received,
            accepted_kg=accepted,
            received_at=at,
            remainder_open=decision == "partial",
        )
    if t == "disposed":
        return replace(s, status=Status.COMPLETED, disposed_kg=_dec(p["quantity_kg"]), completed_at=at, closed_at=at)
    if t == "return_requested":
        return replace(s, status=Status.RETURN_REQUESTED)
    if t == "return_picked_up":
        return replace(s, status=Status.RETURNING, vehicle_plate=event.get("vehicle_plate") or s.vehicle_plate)
    if t == "returned":
        return replace(s, status=Status.RETURNED, closed_at=at)
    if t == "redirected":
        return replace(s, status=Status.REDIRECTED, child_manifest_id=p["child_manifest_id"], closed_at=at)
    if t in ("remainder_returned", "remainder_redirected"):
        return replace(s, remainder_open=False, child_manifest_id=p["child_manifest_id"])
    raise ValueError(f"unknown event type {t!r}")


def replay(events: Iterable[Mapping[str, Any]]) -> ManifestState:
    state = ManifestState()
    for e in events:
        state = evolve(state, e)
    return state


PROJECTED_FIELDS = (
    "status",
    "version",
    "decision",
    "remainder_open",
    "declared_kg",
    "picked_up_kg",
    "received_kg",
    "accepted_kg",
    "disposed_kg",
    "vehicle_plate",
    "submitted_at",
    "picked_up_at",
    "delivered_at",
    "received_at",
    "rejected_at",
    "completed_at",
    "closed_at",
    "updated_at",
)
