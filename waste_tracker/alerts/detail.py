"""One alert for the person who investigates it: the alert with its rule's explanation, history and
manifest, and its evidence on a map (generator, receiver and every located scan, as GeoJSON
features) beside the manifest's timeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker.alerts import service
from waste_tracker.auth.principal import Principal
from waste_tracker.manifest.queries import located_events
from waste_tracker.models import Alert, AlertHistory, Manifest
from waste_tracker.rules.catalogue import RULES, explain
from waste_tracker.rules.settings import effective_settings

_PARTY_SITES = text(
    """SELECT s.id, s.name, o.name AS org, ST_X(s.location) AS lon, ST_Y(s.location) AS lat, s.county_adcode,
              CASE WHEN s.id = :g THEN 'generator' ELSE 'receiver' END AS role
       FROM site s JOIN organisation o ON o.id = s.organisation_id WHERE s.id IN (:g, :r)"""
)


def _as_submitted(m: Manifest, side: str) -> dict[str, Any]:
    """A party's names as the manifest recorded them at submission (empty for a draft)."""
    return dict((m.parties or {}).get(side) or {})


@dataclass(frozen=True)
class AlertView:
    alert: Alert
    manifest: Manifest | None
    thresholds: dict[str, Any]
    history: list[AlertHistory]

    def explanation(self, lang: str) -> str | None:
        """The rule in plain words with the thresholds in force; None for a rule no longer known."""
        return explain(self.alert.rule_id, lang, self.thresholds) if self.alert.rule_id in RULES else None


@dataclass(frozen=True)
class AlertDetail:
    view: AlertView
    features: list[dict[str, Any]] = field(default_factory=list)
    manifest: dict[str, Any] | None = None
    timeline: list[dict[str, Any]] = field(default_factory=list)


async def alert_view(session: AsyncSession, actor: Principal, alert_id: int) -> AlertView:
    """The alert (404 outside the actor's view), its manifest, thresholds and history."""
    a = await service.get_alert(session, actor, alert_id)
    settings = await effective_settings(session)
    m = await session.get(Manifest, a.manifest_id) if a.manifest_id else None
    thresholds = settings[a.rule_id].thresholds if a.rule_id in settings else {}
    assert a.id is not None  # a stored alert
    return AlertView(a, m, thresholds, await service.history(session, a.id))


async def alert_detail(session: AsyncSession, actor: Principal, alert_id: int) -> AlertDetail:
    v = await alert_view(session, actor, alert_id)
    m = v.manifest
    if m is None:
        return AlertDetail(v)
    rows = (await session.execute(_PARTY_SITES, {"g": m.generator_site_id, "r": m.receiver_site_id})).mappings().all()
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
            "properties": {
                "role": r["role"],
                "site_id": str(r["id"]),
                "name": _as_submitted(m, r["role"]).get("site_name", r["name"]),
                "organisation": _as_submitted(m, r["role"]).get("organisation_name", r["org"]),
                "county_adcode": r["county_adcode"],
            },
        }
        for r in rows
    ]
    timeline: list[dict[str, Any]] = []
    for e in await located_events(session, m.id):
        item: dict[str, Any] = {
            "seq": e.seq,
            "type": e.type,
            "server_time": e.server_time,
            "device_time": e.device_time,
            "vehicle_plate": e.vehicle_plate,
            "payload": e.payload,
            "hash": e.hash,
        }
        if e.lon is not None and e.lat is not None:
            item["location"] = {"type": "Point", "coordinates": [e.lon, e.lat]}
            features.append(
                {
                    "type": "Feature",
                    "geometry": item["location"],
                    "properties": {"role": "scan", "seq": e.seq, "event": e.type, "time": e.server_time.isoformat()},
                }
            )
        timeline.append(item)
    manifest = {
        "id": str(m.id),
        "number": m.number,
        "kind": m.kind,
        "status": m.status,
        "declared_kg": str(m.declared_kg),
        "distance_m": m.distance_m,
        "generator_county": m.generator_county,
        "receiver_county": m.receiver_county,
        "generator_city": m.generator_city,
        "receiver_city": m.receiver_city,
    }
    return AlertDetail(v, features, manifest, timeline)
