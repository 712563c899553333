"""The tabs of a reader's manifest list (issue #14, after Trackdéchets): drafts, to act on, in
follow-up, archived.

- **drafts**: not yet submitted (only the generator, and admins, ever see them);
- **to act on**: the manifest waits for a step by a side the reader is on;
- **in follow-up**: still open, waiting on another party;
- **archived**: closed (``lifecycle.CLOSED``: completed, returned, redirected, cancelled, deleted)
  with nothing left for the reader to do.

"A step by a side the reader is on" is read from the one transition table, ``lifecycle.STEPS``,
twice: as the Python predicate for one manifest in hand (``actions_for``: the manifest page's
``allowed_actions`` kept to the reader's sides, which is what its buttons offer) and as the SQL
condition lists and counts use (``has_action``), the same pairing as ``access``. A new row in the
table changes both; ``tests/manifest/test_dashboard_tabs.py`` checks that they agree for every
status and every kind of reader.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ColumnElement, and_, false, func, or_
from sqlmodel import col

from waste_tracker.auth.principal import Principal
from waste_tracker.manifest import access
from waste_tracker.manifest.events import state_of
from waste_tracker.manifest.lifecycle import CLOSED, STEPS, Action, Side, Status, allowed, side_of
from waste_tracker.models import Manifest


class Tab(StrEnum):
    DRAFTS = "drafts"
    ACT = "act"
    FOLLOW = "follow"
    ARCHIVE = "archive"


# Allowed, but nothing waits for them: a submitted manifest may be withdrawn until pickup, yet it
# is waiting on the carrier, not on its generator. (Printing or copying is not an action at all.)
OPTIONAL: frozenset[Action] = frozenset({Action.CANCEL})


# --- one manifest in hand ------------------------------------------------------------------------


def actions_for(actor: Principal, m: Manifest) -> list[Action]:
    """The steps the reader may take now: the allowed actions (``queries.describe``) on a side
    of the manifest the reader is on (``access.party_of``), in table order."""
    if not m.version:
        return []
    sides = access.party_of(actor, m)
    return [a for a in allowed(state_of(m)) if side_of(a) in sides]


def awaits(actor: Principal, m: Manifest) -> bool:
    """The manifest waits for the reader: one of its steps is not optional."""
    return any(a not in OPTIONAL for a in actions_for(actor, m))


def tab_of(actor: Principal, m: Manifest) -> Tab:
    if m.status == Status.DRAFT:
        return Tab.DRAFTS
    if awaits(actor, m):
        return Tab.ACT
    if m.status in CLOSED:
        return Tab.ARCHIVE
    return Tab.FOLLOW


# --- the same as SQL -------------------------------------------------------------------------------


def sides_sql(actor: Principal) -> dict[Side, ColumnElement[bool]]:
    """``access.party_of`` as conditions on a manifest row: the sides the actor may be on."""
    org = actor.organisation_id
    if org is None:
        return {}
    carries = or_(col(Manifest.carrier_org_id) == org, access.names_org(col(Manifest.handover_carrier_org_ids), org))
    if actor.role == "enterprise":
        return {
            Side.GENERATOR: col(Manifest.generator_org_id) == org,
            Side.RECEIVER: col(Manifest.receiver_org_id) == org,
            Side.CARRIER_OFFICE: carries,
        }
    if actor.role == "driver":
        return {Side.CARRIER: carries}
    return {}


def has_action(actor: Principal) -> ColumnElement[bool]:
    """``awaits`` as one condition: for each row of the table on a side the actor may be on
    (optional actions left out), the row's status and what else it asks (purpose, an open
    remainder, whether a later carrier is still to take over). Rows that differ only in their
    status share one ``IN``."""
    sides = sides_sql(actor)
    groups: dict[tuple[Side, str | None, bool, str | None], list[str]] = {}
    for st in STEPS:
        if st.side in sides and st.action not in OPTIONAL:
            statuses = groups.setdefault((st.side, st.purpose, st.remainder, st.legs), [])
            if st.status.value not in statuses:
                statuses.append(st.status.value)
    if not groups:
        return false()
    later_carrier = col(Manifest.leg) < 1 + func.cardinality(col(Manifest.handover_carrier_org_ids))
    branches = []
    for (side, purpose, remainder, legs), statuses in groups.items():
        parts = [sides[side], col(Manifest.status).in_(statuses)]
        if purpose is not None:
            parts.append(col(Manifest.purpose) == purpose)
        if remainder:
            parts.append(col(Manifest.remainder_open).is_(True))
        if legs is not None:
            parts.append(later_carrier if legs == "more" else ~later_carrier)
        branches.append(and_(*parts))
    return and_(col(Manifest.version) > 0, or_(*branches))


def condition(actor: Principal, tab: Tab) -> ColumnElement[bool]:
    """The rows of ``tab`` for this reader (within the reader's scope, which the caller adds)."""
    status = col(Manifest.status)
    draft = status == Status.DRAFT.value
    if tab == Tab.DRAFTS:
        return draft
    act = has_action(actor)
    if tab == Tab.ACT:
        return and_(~draft, act)
    closed = status.in_(sorted(s.value for s in CLOSED))
    if tab == Tab.ARCHIVE:
        return and_(~draft, ~act, closed)
    return and_(~draft, ~act, ~closed)


def tabs_for(actor: Principal) -> list[Tab]:
    """The tabs a reader is shown: drafts only where drafts can be seen (a generator's users,
    admins); regulators, drivers and the other sides never see a draft (``access``)."""
    drafts = actor.is_admin or actor.acts_as("generator")
    return [t for t in Tab if drafts or t != Tab.DRAFTS]


_SIDE_OF_ROLE = {"generator": Side.GENERATOR, "receiver": Side.RECEIVER, "carrier": Side.CARRIER_OFFICE}


def ever_acts(actor: Principal) -> bool:
    """Whether the reader's organisation roles put it on a side that takes steps at all
    (regulators, admins and a carrier's office take none: its drivers scan)."""
    if actor.organisation_id is None:
        return False
    if actor.role == "driver":
        sides = {Side.CARRIER}
    elif actor.role == "enterprise":
        sides = {_SIDE_OF_ROLE[r] for r in actor.org_roles if r in _SIDE_OF_ROLE}
    else:
        sides = set()
    return any(st.side in sides and st.action not in OPTIONAL for st in STEPS)
