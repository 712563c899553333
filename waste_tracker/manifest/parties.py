"""The parties of a manifest as they were when it was submitted.

A legal name or credit code may change later (through a regulator, with history), but a submitted
manifest is a record of who agreed to move what: its label, its pages and the regulators' views show
each party as it stood at submission. The snapshot is written into the submitted event (so the hash
chain covers it) and projected onto ``manifest.parties``; drafts, which have no snapshot, show the
parties as they are now.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker.models import Manifest
from waste_tracker.registry.names import organisation_names

SIDES = ("generator", "carrier", "receiver")
SNAPSHOT_FIELDS = ("organisation_name", "uscc", "site_name")

_SNAPSHOT_SQL = text(
    """SELECT o.id AS organisation_id, o.name AS organisation_name, o.uscc, s.name AS site_name
       FROM site s JOIN organisation o ON o.id = s.organisation_id WHERE s.id = :site"""
)
_CARRIER_SQL = text("SELECT id AS organisation_id, name AS organisation_name, uscc FROM organisation WHERE id = :org")


async def snapshot(session: AsyncSession, m: Manifest) -> dict[str, dict[str, str]]:
    """Each party's organisation, legal name and credit code (and site name) as they stand now
    (the organisation ids put the manifest's parties under the chain too)."""

    async def one(sql: Any, params: Mapping[str, Any]) -> dict[str, str]:
        return {k: str(v) for k, v in (await session.execute(sql, params)).mappings().one().items()}

    return {
        "generator": await one(_SNAPSHOT_SQL, {"site": m.generator_site_id}),
        "carrier": await one(_CARRIER_SQL, {"org": m.carrier_org_id}),
        "receiver": await one(_SNAPSHOT_SQL, {"site": m.receiver_site_id}),
    }


def overlay(m: Manifest, side: str, live: dict[str, Any]) -> dict[str, Any]:
    """``live`` (a party's fields read from the registry) with the submitted names in place."""
    snap = (m.parties or {}).get(side) or {}
    return live | {k: snap[k] for k in SNAPSHOT_FIELDS if k in snap}


async def party_names(session: AsyncSession, manifests: Iterable[Manifest]) -> dict[uuid.UUID, dict[str, str]]:
    """For lists: each manifest's three party names, as submitted (or as now, for a draft)."""
    ms = list(manifests)
    live = await organisation_names(session, [x for m in ms if not m.parties for x in _org_ids(m)])
    out: dict[uuid.UUID, dict[str, str]] = {}
    for m in ms:
        if m.parties:
            out[m.id] = {side: str(m.parties.get(side, {}).get("organisation_name", "")) for side in SIDES}
        else:
            out[m.id] = {side: live.get(org, "") for side, org in zip(SIDES, _org_ids(m), strict=True)}
    return out


def names_by_organisation(m: Manifest) -> dict[uuid.UUID, str]:
    """The submitted names keyed by organisation id (empty for a draft)."""
    snap = m.parties or {}
    return {
        org: str(snap[side]["organisation_name"])
        for side, org in zip(SIDES, _org_ids(m), strict=True)
        if side in snap and snap[side].get("organisation_name")
    }


def _org_ids(m: Manifest) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    return (m.generator_org_id, m.carrier_org_id, m.receiver_org_id)
