"""The manifest's life as data: statuses, event types, one transition table, and two pure functions.

Each row of ``STEPS`` carries a status, an action, the event type it records, the next status, the
side that acts and where the step must happen. ``decide(state, action)`` says whether an action is
allowed now (or raises ``invalid_transition`` naming the status and the actions allowed);
``evolve(state, event)`` folds one event into the state. ``replay(events)`` is the projection that
the ``manifest`` row caches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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
    HANDOVER = "handover"  # the next carrier's driver takes the load over (Art. 17)
    RECEIVE = "receive"
    DISPOSE = "dispose"
    RETURN = "return"
    REDIRECT = "redirect"


class EventType(StrEnum):
    """What a manifest's events record (the ``type`` of ``manifest_event``)."""

    CREATED = "created"
    DRAFT_UPDATED = "draft_updated"
    DRAFT_DELETED = "draft_deleted"
    SUBMITTED = "submitted"
    CANCELLED = "cancelled"
    PICKED_UP = "picked_up"
    DROPPED_OFF = "dropped_off"
    HANDED_OVER = "handed_over"
    RECEIVED = "received"
    DISPOSED = "disposed"
    RETURN_REQUESTED = "return_requested"
    RETURN_PICKED_UP = "return_picked_up"
    RETURNED = "returned"
    REDIRECTED = "redirected"
    REMAINDER_RETURNED = "remainder_returned"
    REMAINDER_REDIRECTED = "remainder_redirected"


class Side(StrEnum):
    """The sides of a manifest: who takes a step (the carrier's office reads but takes none)."""

    GENERATOR = "generator"
    CARRIER = "carrier"  # the carrier's drivers
    RECEIVER = "receiver"
    CARRIER_OFFICE = "carrier_office"


class Place(StrEnum):
    """Where a step must happen, as the manifest column naming the site (a scan is judged against it)."""

    PICKUP_SITE = "pickup_site_id"  # the generator's, or the receiver's that rejected the load
    RECEIVER_SITE = "receiver_site_id"  # on a return manifest, the generator's own site
    GENERATOR_SITE = "generator_site_id"
    HANDOVER_SITE = "handover_site_id"  # the registered site where the next carrier takes over


@dataclass(frozen=True)
class Step:
    """One row of the transition table: in ``status``, ``action`` by ``side`` records ``event``
    and moves the manifest to ``next`` (``None``: the status stays; the remainder of a partial
    acceptance travels on a new linked manifest), at the site ``at`` for a scan."""

    status: Status
    action: Action
    event: EventType
    next: Status | None
    side: Side
    at: Place | None = None
    purpose: str | None = None  # only for manifests of this purpose (None: any)
    remainder: bool = False  # only while a rejected remainder is open
    legs: str | None = None  # "more": only while a later carrier is still to take over; "last": only when none is


S, A, E = Status, Action, EventType
GEN, CAR, RCV = Side.GENERATOR, Side.CARRIER, Side.RECEIVER

# The transition table. Rows are tried in order (the first that applies wins) and give the order of
# the allowed actions. ``received`` moves to ``rejected`` instead when the decision is a rejection.
STEPS: tuple[Step, ...] = (
    Step(S.DRAFT, A.UPDATE, E.DRAFT_UPDATED, S.DRAFT, GEN),
    Step(S.DRAFT, A.DELETE, E.DRAFT_DELETED, S.DELETED, GEN),
    Step(S.DRAFT, A.SUBMIT, E.SUBMITTED, S.SUBMITTED, GEN),
    Step(S.SUBMITTED, A.CANCEL, E.CANCELLED, S.CANCELLED, GEN),
    Step(S.SUBMITTED, A.PICKUP, E.PICKED_UP, S.IN_TRANSIT, CAR, at=Place.PICKUP_SITE),
    # Art. 17: with more carriers listed, the load changes hands at the listed sites, in order;
    # only the last carrier drops it off
    Step(S.IN_TRANSIT, A.HANDOVER, E.HANDED_OVER, S.IN_TRANSIT, CAR, at=Place.HANDOVER_SITE, legs="more"),
    # a return trip ends at the generator's own site: that drop-off closes the return manifest
    Step(S.IN_TRANSIT, A.DROPOFF, E.RETURNED, S.RETURNED, CAR, at=Place.RECEIVER_SITE, purpose="return", legs="last"),
    Step(S.IN_TRANSIT, A.DROPOFF, E.DROPPED_OFF, S.DELIVERED, CAR, at=Place.RECEIVER_SITE, legs="last"),
    Step(S.DELIVERED, A.RECEIVE, E.RECEIVED, S.RECEIVED, RCV),
    Step(S.RECEIVED, A.DISPOSE, E.DISPOSED, S.COMPLETED, RCV),
    Step(S.REJECTED, A.RETURN, E.RETURN_REQUESTED, S.RETURN_REQUESTED, GEN),
    Step(S.REJECTED, A.REDIRECT, E.REDIRECTED, S.REDIRECTED, GEN),
    Step(S.RETURN_REQUESTED, A.PICKUP, E.RETURN_PICKED_UP, S.RETURNING, CAR, at=Place.RECEIVER_SITE),
    Step(S.RETURNING, A.DROPOFF, E.RETURNED, S.RETURNED, CAR, at=Place.GENERATOR_SITE),
    Step(S.RECEIVED, A.RETURN, E.REMAINDER_RETURNED, None, GEN, remainder=True),
    Step(S.RECEIVED, A.REDIRECT, E.REMAINDER_REDIRECTED, None, GEN, remainder=True),
    Step(S.COMPLETED, A.RETURN, E.REMAINDER_RETURNED, None, GEN, remainder=True),
    Step(S.COMPLETED, A.REDIRECT, E.REMAINDER_REDIRECTED, None, GEN, remainder=True),
)

# A manifest is closed (``closed_at``) on reaching these; its label's QR token then stops working.
CLOSED = frozenset({Status.DELETED, Status.CANCELLED, Status.COMPLETED, Status.RETURNED, Status.REDIRECTED})
TOKEN_DEAD = CLOSED


def _derived() -> tuple[dict[Status, tuple[Step, ...]], dict[EventType, Status | None], dict[Action, Side]]:
    """The table by status, the status each event type leads to, the side each action is taken by
    (the last two must be one answer per key: checked here, at import)."""
    by_status: dict[Status, list[Step]] = {}
    nxt: dict[EventType, Status | None] = {EventType.CREATED: Status.DRAFT}
    side: dict[Action, Side] = {}
    for st in STEPS:
        by_status.setdefault(st.status, []).append(st)
        if nxt.setdefault(st.event, st.next) != st.next or side.setdefault(st.action, st.side) != st.side:
            raise ValueError(f"transition table: {st} disagrees with an earlier row")
    return {k: tuple(v) for k, v in by_status.items()}, nxt, side


_BY_STATUS, NEXT, _SIDE = _derived()

# The table as (status, action) -> event type, for a transfer manifest with one carrier.
TRANSITIONS: dict[tuple[Status, Action], EventType] = {
    (st.status, st.action): st.event for st in STEPS if st.purpose is None and st.legs != "more"
}


def side_of(action: Action) -> Side:
    """Which side of the manifest takes this action."""
    return _SIDE[action]


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
    carriers: int = 1  # how many carriers the manifest lists (Art. 17: up to five)
    leg: int = 1  # which of them holds the load
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
    parties: dict[str, Any] | None = None  # names and credit codes at submission


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


def _applies(st: Step, state: ManifestState) -> bool:
    legs_ok = st.legs is None or (st.legs == "more") == (state.leg < state.carriers)
    return (st.purpose is None or st.purpose == state.purpose) and (state.remainder_open or not st.remainder) and legs_ok


def allowed(state: ManifestState) -> list[Action]:
    """The actions allowed in this state, in table order."""
    out: list[Action] = []
    for st in _BY_STATUS.get(state.status, ()) if state.status else ():
        if _applies(st, state) and st.action not in out:
            out.append(st.action)
    return out


def step(state: ManifestState, action: Action) -> Step:
    """The row of the table that ``action`` takes now, or ``invalid_transition`` (409)."""
    for st in _BY_STATUS.get(state.status, ()) if state.status else ():
        if st.action == action and _applies(st, state):
            return st
    raise Conflict(
        "invalid_transition",
        {
            "status": str(state.status) if state.status else None,
            "action": str(action),
            "allowed": [str(a) for a in allowed(state)],
        },
    )


def decide(state: ManifestState, action: Action) -> EventType:
    """The event type that ``action`` records now, or ``invalid_transition`` (409)."""
    return step(state, action).event


def _dec(v: Any) -> Decimal | None:
    return None if v is None else Decimal(str(v))


Fold = Callable[[ManifestState, Mapping[str, Any], datetime, Mapping[str, Any]], dict[str, Any]]


def _received(s: ManifestState, p: Mapping[str, Any], at: datetime, e: Mapping[str, Any]) -> dict[str, Any]:
    decision = p["decision"]
    got = {"decision": decision, "received_kg": _dec(p["received_kg"]), "accepted_kg": _dec(p["accepted_kg"])}
    if decision == "rejected":
        return got | {"status": Status.REJECTED, "rejected_at": at}
    return got | {"received_at": at, "remainder_open": decision == "partial"}


def _remainder(s: ManifestState, p: Mapping[str, Any], at: datetime, e: Mapping[str, Any]) -> dict[str, Any]:
    return {"remainder_open": False, "child_manifest_id": p["child_manifest_id"]}


# What each event type records in the state besides its status (which the table gives).
_FOLDS: dict[EventType, Fold] = {
    E.CREATED: lambda s, p, at, e: {
        "purpose": p.get("purpose", "transfer"),
        "declared_kg": _dec(p["declared_kg"]) or Decimal(0),
        "carriers": 1 + len(p.get("handovers") or ()),
    },
    E.DRAFT_UPDATED: lambda s, p, at, e: {
        "declared_kg": _dec(p.get("declared_kg")) or s.declared_kg,
        "carriers": 1 + len(p.get("handovers") or ()),
    },
    E.DRAFT_DELETED: lambda s, p, at, e: {},
    E.SUBMITTED: lambda s, p, at, e: {
        "number": p["number"],
        "submitted_at": at,
        "parties": p.get("parties"),
        "declared_kg": _dec(p["declared_kg"]) or s.declared_kg,
    },
    E.CANCELLED: lambda s, p, at, e: {},
    E.PICKED_UP: lambda s, p, at, e: {
        "picked_up_at": at,
        "vehicle_plate": e.get("vehicle_plate"),
        "picked_up_kg": _dec(p.get("quantity_kg")),
    },
    E.HANDED_OVER: lambda s, p, at, e: {"leg": s.leg + 1, "vehicle_plate": e.get("vehicle_plate") or s.vehicle_plate},
    E.DROPPED_OFF: lambda s, p, at, e: {"delivered_at": at},
    E.RECEIVED: _received,
    E.DISPOSED: lambda s, p, at, e: {"disposed_kg": _dec(p["quantity_kg"]), "completed_at": at},
    E.RETURN_REQUESTED: lambda s, p, at, e: {},
    E.RETURN_PICKED_UP: lambda s, p, at, e: {"vehicle_plate": e.get("vehicle_plate") or s.vehicle_plate},
    E.RETURNED: lambda s, p, at, e: {},
    E.REDIRECTED: lambda s, p, at, e: {"child_manifest_id": p["child_manifest_id"]},
    E.REMAINDER_RETURNED: _remainder,
    E.REMAINDER_REDIRECTED: _remainder,
}


def evolve(state: ManifestState, event: Mapping[str, Any]) -> ManifestState:
    """Fold one event (``type``, ``seq``, ``server_time``, ``payload``, ``vehicle_plate``): the
    status from the table (``NEXT``), the rest from the event's fold; reaching a closed status
    closes the manifest."""
    t = event["type"]
    fold = _FOLDS.get(t)
    if fold is None:
        raise ValueError(f"unknown event type {t!r}")
    at: datetime = event["server_time"]
    changes = fold(state, event.get("payload") or {}, at, event)
    status = changes.pop("status", None) or NEXT[t]
    if status is not None:
        changes["status"] = status
        if status in CLOSED:
            changes["closed_at"] = at
    return replace(state, version=event["seq"], updated_at=at, **changes)


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
    "leg",
    "submitted_at",
    "picked_up_at",
    "delivered_at",
    "received_at",
    "rejected_at",
    "completed_at",
    "closed_at",
    "updated_at",
    "parties",
)
