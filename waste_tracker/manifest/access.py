"""Who may see or act on a manifest, and on the alerts about it: each rule once, the Python
predicate (for one row in hand) beside the SQL scope (for lists, counts and exports), so that a new
reader of either cannot forget a scope or drift from the other.

- An admin sees everything.
- A regulator sees what touches a county of its jurisdiction (the generator's or the receiver's;
  for an alert also every county where an event it is about happened: a pickup, a drop-off, a
  scan), never a draft.
- An enterprise sees the manifests its organisation generates (drafts too), carries or receives.
- A driver sees the manifests its carrier carries (in lists; one it is otherwise a party to by id).
- A carrier listed to take a load over (Art. 17) is a carrier of the manifest like the first.
- An auditor (a third-party firm's user, waste_tracker/audit/) sees, while an assignment of its is
  valid, the manifests a sampled enterprise generated and submitted within the sample's period;
  never a draft, never an alert.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Uuid, and_, false, func, or_, true, type_coerce
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped
from sqlmodel import col

from waste_tracker import clock
from waste_tracker.auth.principal import AuditGrant, Principal
from waste_tracker.errors import Forbidden
from waste_tracker.manifest.lifecycle import Action, Side, Status, side_of
from waste_tracker.models import Alert, Manifest

HIDDEN_FROM_OTHERS = (Status.DRAFT, Status.DELETED)  # only the generator sees its drafts
MAX_BRANCHES = 16  # above this many counties a regulator's scope stays one IN (...) condition

Column = Mapped[Any] | ColumnElement[Any]  # a model's column (``col(Model.field)``) or an expression


# --- one row in hand ---------------------------------------------------------------------------------


def party_of(actor: Principal, m: Manifest) -> set[Side]:
    """Which sides of this manifest the actor is on."""
    sides: set[Side] = set()
    if actor.organisation_id is None:
        return sides
    if actor.role == "enterprise":
        if actor.organisation_id == m.generator_org_id:
            sides.add(Side.GENERATOR)
        if actor.organisation_id == m.receiver_org_id:
            sides.add(Side.RECEIVER)
        if actor.organisation_id in m.carrier_org_ids:
            sides.add(Side.CARRIER_OFFICE)
    if actor.role == "driver" and actor.organisation_id in m.carrier_org_ids:
        sides.add(Side.CARRIER)
    return sides


def require_party(actor: Principal, m: Manifest, action: Action) -> None:
    """The action is taken by one side of the manifest (the transition table says which)."""
    side = side_of(action)
    if side not in party_of(actor, m):
        raise Forbidden("forbidden", {"action": str(action), "required_party": str(side)})


def audited(actor: Principal, org_id: uuid.UUID | None, at: datetime | None) -> bool:
    """An auditor's grant covers this enterprise at this instant (within the sample's period)."""
    if org_id is None or at is None:
        return False
    day = clock.local_date(at)
    return any(g.organisation_id == org_id and g.period_from <= day <= g.period_to for g in actor.audit_grants)


def can_see(actor: Principal, m: Manifest) -> bool:
    if actor.is_admin:
        return True
    if actor.is_auditor:
        return m.status not in HIDDEN_FROM_OTHERS and audited(actor, m.generator_org_id, m.submitted_at)
    if m.status in HIDDEN_FROM_OTHERS:
        return actor.role == "enterprise" and actor.organisation_id == m.generator_org_id
    if actor.is_regulator:
        return actor.in_scope(m.generator_county, m.receiver_county)
    return actor.organisation_id in (m.generator_org_id, m.receiver_org_id, *m.carrier_org_ids)


def alert_counties(a: Alert) -> set[int]:
    """The counties whose regulators an alert concerns: the generator's, the receiver's and every
    county where one of its events happened."""
    return {c for c in (a.generator_county, a.receiver_county, *(a.event_counties or ())) if c is not None}


def can_see_alert(actor: Principal, a: Alert) -> bool:
    if actor.is_admin:
        return True
    if actor.is_auditor:
        return False
    if actor.is_regulator:
        return actor.in_scope(*alert_counties(a))
    org = actor.organisation_id
    return org is not None and org in (a.generator_org_id, a.receiver_org_id, a.carrier_org_id)


# --- the same rules as SQL ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Readers:
    """How a table names the places and parties that may read a row of it."""

    counties: Sequence[Column]  # a regulator reads a row when one is in its scope
    county_sets: Sequence[Column] = ()  # arrays of counties: a regulator reads a row when one is in its scope
    orgs: Sequence[Column] = ()  # an enterprise reads a row naming its organisation in one of these
    driver_orgs: Sequence[Column] = ()  # a driver, likewise
    org_sets: Sequence[Column] = ()  # arrays of organisations: an enterprise or a driver reads a row naming its own
    owner: Column | None = None  # this party also reads the rows hidden from the others
    hidden: ColumnElement[bool] | None = None  # the rows only the owner reads (drafts)
    audited: Column | None = None  # an auditor reads a row whose enterprise here is sampled ...
    audited_at: Column | None = None  # ... when this instant is within the sample's period


MANIFESTS = Readers(
    counties=(col(Manifest.generator_county), col(Manifest.receiver_county)),
    orgs=(col(Manifest.generator_org_id), col(Manifest.carrier_org_id), col(Manifest.receiver_org_id)),
    driver_orgs=(col(Manifest.carrier_org_id),),
    org_sets=(col(Manifest.handover_carrier_org_ids),),
    owner=col(Manifest.generator_org_id),
    hidden=col(Manifest.status).in_([str(s) for s in HIDDEN_FROM_OTHERS]),
    audited=col(Manifest.generator_org_id),
    audited_at=col(Manifest.submitted_at),
)
ALERTS = Readers(
    counties=(col(Alert.generator_county), col(Alert.receiver_county)),
    # Also where the events happened: a dumping county's regulator must see it.
    county_sets=(col(Alert.event_counties),),
    orgs=(col(Alert.generator_org_id), col(Alert.receiver_org_id), col(Alert.carrier_org_id)),
    driver_orgs=(col(Alert.generator_org_id), col(Alert.receiver_org_id), col(Alert.carrier_org_id)),
)


def _ints(column: Column) -> ColumnElement[Any]:
    """An integer-array column, typed so its array operators (``&&``, ``@>``) are available."""
    coerced: ColumnElement[Any] = type_coerce(column, ARRAY(Integer))
    return coerced


def names_org(column: Column, org: Any) -> ColumnElement[bool]:
    """``org`` is in this uuid-array column (``@>``), with the partial GIN index's own predicate
    so the planner uses it."""
    arr: ColumnElement[Any] = type_coerce(column, ARRAY(Uuid))
    return and_(func.cardinality(arr) > 0, arr.contains([org]))


def _visible(r: Readers, cond: ColumnElement[bool]) -> ColumnElement[bool]:
    return and_(~r.hidden, cond) if r.hidden is not None else cond


def _audit_grant(r: Readers, g: AuditGrant) -> ColumnElement[bool]:
    assert r.audited is not None and r.audited_at is not None
    lo, hi = clock.day_window(g.period_from, g.period_to)
    return and_(r.audited == g.organisation_id, r.audited_at >= lo, r.audited_at < hi)


def readable(actor: Principal, r: Readers) -> ColumnElement[bool]:
    """What ``actor`` may read of the table ``r`` describes, as one condition (counts, exports)."""
    if actor.is_admin:
        return true()
    if actor.is_auditor:
        if r.audited is None or r.audited_at is None or not actor.audit_grants:
            return false()
        return _visible(r, or_(*(_audit_grant(r, g) for g in actor.audit_grants)))
    if actor.is_regulator:
        counties = sorted(actor.county_scope or [])
        if not counties:
            return false()
        return _visible(
            r, or_(*(column.in_(counties) for column in r.counties), *(_ints(s).overlap(counties) for s in r.county_sets))
        )
    org = actor.organisation_id
    if org is None:
        return false()
    in_sets = [names_org(s, org) for s in r.org_sets]
    if actor.role == "driver":
        return _visible(r, or_(*(column == org for column in r.driver_orgs), *in_sets))
    others = _visible(r, or_(*(column == org for column in r.orgs if column is not r.owner), *in_sets))
    return or_(r.owner == org, others) if r.owner is not None else others


def readable_branches(actor: Principal, r: Readers) -> list[ColumnElement[bool]]:
    """The same scope as conditions whose union it is, each one index range (one county or
    organisation column), so that a list in time order can take one page from each and merge."""
    if actor.is_admin:
        return [true()]
    if actor.is_auditor:
        return [readable(actor, r)]
    if actor.is_regulator:
        counties = sorted(actor.county_scope or [])
        if not counties:
            return [false()]
        if len(counties) > MAX_BRANCHES:
            return [readable(actor, r)]
        return [_visible(r, column == c) for column in r.counties for c in counties] + [
            _visible(r, _ints(s).contains([c])) for s in r.county_sets for c in counties
        ]
    org = actor.organisation_id
    if org is None:
        return [false()]
    in_sets = [_visible(r, names_org(s, org)) for s in r.org_sets]
    if actor.role == "driver":
        return [_visible(r, column == org) for column in r.driver_orgs] + in_sets
    return [column == org if column is r.owner else _visible(r, column == org) for column in r.orgs] + in_sets


def manifest_scope(actor: Principal) -> ColumnElement[bool]:
    return readable(actor, MANIFESTS)


def manifest_scope_branches(actor: Principal) -> list[ColumnElement[bool]]:
    return readable_branches(actor, MANIFESTS)


def alert_scope(actor: Principal) -> ColumnElement[bool]:
    return readable(actor, ALERTS)
