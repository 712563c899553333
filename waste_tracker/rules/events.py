"""Event-triggered rules: evaluated in the same transaction as the event that may break them.

Each rule here gathers the snapshot it needs (with PostGIS where geometry is involved) and calls
the pure checks in ``rules.checks``; findings become alerts through ``alerts.store``.
``EVENT_RULES`` says which rules an event type runs: a new rule is one function and one entry.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.alerts.store import raise_alert
from waste_tracker.manifest.lifecycle import EventType
from waste_tracker.models import Exemption, Finding, Licence, Manifest, ManifestEvent, ManifestLine, TransportPermit
from waste_tracker.rules import checks, money, road
from waste_tracker.rules.settings import Effective, effective_settings

_EVENT_COUNTY = text(
    """SELECT j.adcode FROM manifest_event e JOIN jurisdiction j ON j.level = 'county' AND ST_Covers(j.geom, e.location)
       WHERE e.manifest_id = :m AND e.seq = :seq AND e.location IS NOT NULL ORDER BY j.adcode LIMIT 1"""
)


@dataclass
class _Event:
    """One event with what its rules share: the manifest, the live settings, and ``fire``."""

    session: AsyncSession
    m: Manifest
    ev: ManifestEvent
    settings: dict[str, Effective]
    geofence_m: float
    fired: list[str] = field(default_factory=list)
    _county: tuple[int | None] | None = None  # the county the event happened in, once looked up

    async def county(self) -> int | None:
        """The county covering the event's location (None when it has none, or outside every county)."""
        if self._county is None:
            found = (await self.session.execute(_EVENT_COUNTY, {"m": self.m.id, "seq": self.ev.seq})).scalar()
            self._county = (found,)
        return self._county[0]

    @property
    def on(self) -> date:
        return clock.local_date(self.ev.server_time)

    async def fire(
        self, rule_id: str, evidence: dict[str, Any], signature: dict[str, Any], subject: str | None = None, **kw: Any
    ) -> None:
        s = self.settings[rule_id]
        if not s.enabled:
            return
        m, ev = self.m, self.ev
        evidence = {"number": m.number, "event_seq": ev.seq, "event_type": ev.type, **evidence}
        await raise_alert(
            self.session,
            rule_id=rule_id,
            subject_key=subject or f"manifest:{m.id}",
            severity=s.severity,
            rank=s.rank,
            evidence=evidence,
            signature=signature,
            now=ev.server_time,
            manifest=m,
            event_county=await self.county(),
            **kw,
        )
        self.fired.append(rule_id)


async def _long_distance(c: _Event) -> None:
    e = checks.long_distance(c.m.kind, c.m.distance_m, c.settings["long_distance"].thresholds)
    if e:
        await c.fire("long_distance", e, {"distance": e["distance_km"], "threshold": e["threshold_km"]})


async def _nearer_capacity_ignored(c: _Event) -> None:
    m = c.m
    if not (c.settings["nearer_capacity_ignored"].enabled and m.purpose == "transfer"):
        return
    nearest = await _nearest_capable_receiver(c.session, m)
    if nearest is not None:
        e = checks.nearer_capacity_ignored(m.distance_m, nearest[2], c.settings["nearer_capacity_ignored"].thresholds)
        if e:
            e |= {"nearest_site_id": str(nearest[0]), "nearest_site_name": nearest[1]}
            await c.fire("nearer_capacity_ignored", e, {"nearest": str(nearest[0]), "chosen": str(m.receiver_site_id)})


async def _scan_findings(c: _Event) -> None:
    """A scan's geofence findings become alerts listing every such scan of the manifest."""
    # Only a finding of this event can fire these rules: skip the look-up when it has none.
    now_codes = {f.get("code") for f in (c.ev.payload or {}).get("findings") or () if isinstance(f, dict)}
    for code in ("scan_outside_geofence", "scan_without_location"):
        if code not in now_codes:
            continue
        rows = (
            (
                await c.session.execute(
                    select(Finding).where(Finding.manifest_id == c.m.id, Finding.code == code).order_by(col(Finding.id))
                )
            )
            .scalars()
            .all()
        )
        if rows and any(r.event_seq == c.ev.seq for r in rows):
            scans = [{"event_seq": r.event_seq, **r.details} for r in rows]
            await c.fire(code, {"scans": scans}, {"seqs": [r.event_seq for r in rows]})


async def _quantity_discrepancy(c: _Event) -> None:
    m = c.m
    received = m.received_kg if c.ev.type == EventType.RECEIVED else None
    e = checks.quantity_discrepancy(m.declared_kg, m.picked_up_kg, received, c.settings["quantity_discrepancy"].thresholds)
    if e:
        await c.fire("quantity_discrepancy", e, {k: e[k] for k in ("declared_kg", "picked_up_kg", "received_kg")})


_PREVIOUS_QUANTITY = text(
    """SELECT type, payload->>'quantity_kg' AS kg FROM manifest_event
       WHERE manifest_id = :m AND seq < :seq AND type IN ('picked_up', 'handed_over') ORDER BY seq DESC LIMIT 1"""
)


async def _handover_quantity_gap(c: _Event) -> None:
    """At a handover: the quantity the next carrier checked against the previous leg's (the
    pickup weighing or the last handover's count; the declared quantity if neither was given)."""
    if not c.settings["handover_quantity_gap"].enabled:
        return
    p = c.ev.payload or {}
    prev = (await c.session.execute(_PREVIOUS_QUANTITY, {"m": c.m.id, "seq": c.ev.seq})).mappings().first()
    before = Decimal(prev["kg"]) if prev and prev["kg"] else c.m.declared_kg
    after = Decimal(str(p["quantity_kg"]))
    t = c.settings["handover_quantity_gap"].thresholds
    diff = abs(after - before)
    if before > 0 and diff > Decimal(str(t["kg"])) and diff * 100 / before > Decimal(str(t["percent"])):
        await c.fire(
            "handover_quantity_gap",
            {
                "position": p.get("position"),
                "from_carrier_org_id": p.get("from_carrier_org_id"),
                "to_carrier_org_id": p.get("to_carrier_org_id"),
                "from_vehicle_plate": p.get("from_vehicle_plate"),
                "to_vehicle_plate": p.get("to_vehicle_plate"),
                "before_kg": f"{before:.3f}",
                "before_from": prev["type"] if prev and prev["kg"] else "declared",
                "handed_over_kg": f"{after:.3f}",
                "difference_kg": f"{after - before:.3f}",
                "threshold_percent": t["percent"],
                "threshold_kg": t["kg"],
            },
            {"position": p.get("position"), "kg": f"{after:.3f}"},
            subject=f"manifest:{c.m.id}:handover:{p.get('position')}",
        )


async def _receipt_exception(c: _Event) -> None:
    """At receipt, at once (Art. 18): a rejection, a partial acceptance or a weight that does not
    match is reported to the receiver's county bureau and to the generator, in the receipt's own
    transaction. (``rejected_not_resolved`` still follows up after its days.)"""
    m, p = c.m, c.ev.payload or {}
    found: list[str] = []
    if p.get("decision") in ("partial", "rejected"):
        found.append(str(p["decision"]))
    weight = checks.quantity_discrepancy(
        m.declared_kg, m.picked_up_kg, m.received_kg, c.settings["quantity_discrepancy"].thresholds
    )
    if weight:
        found.append("quantity")
    if not found:
        return
    evidence: dict[str, Any] = {
        "found": found,
        "decision": p.get("decision"),
        "reason": p.get("reason"),
        "declared_kg": f"{m.declared_kg:.3f}",
        "picked_up_kg": f"{m.picked_up_kg:.3f}" if m.picked_up_kg is not None else None,
        "received_kg": p.get("received_kg"),
        "accepted_kg": p.get("accepted_kg"),
        "lines": p.get("lines", []),
    }
    if weight:
        evidence["difference_kg"] = weight["difference_kg"]
    await c.fire("receipt_exception", evidence, {"seq": c.ev.seq, "found": found})


async def _receiver_over_capacity(c: _Event) -> None:
    m = c.m
    if not (m.licence_id and c.settings["receiver_over_capacity"].enabled):
        return
    lic = await c.session.get(Licence, m.licence_id)
    if lic is None:
        return
    year = c.on.year
    total = Decimal(
        (
            await c.session.execute(
                # the maintained roll-up (waste_tracker/stats/rollup.py): one row, not the year's
                # receipts; its year is the Asia/Shanghai calendar year; what was accepted counts
                # (a partial acceptance's rejected part goes back to the generator)
                text("SELECT COALESCE(sum(accepted_kg), 0) FROM licence_year_received WHERE licence_id = :l AND year = :y"),
                {"l": lic.id, "y": year},
            )
        ).scalar_one()
    )
    e = checks.over_capacity(total, lic.annual_capacity_t)
    if e:
        await c.fire(
            "receiver_over_capacity",
            e | {"licence_number": lic.number, "year": year},
            {"licence": str(lic.id), "year": year},
            subject=f"licence:{lic.id}:{year}",
            licence_id=lic.id,
        )


async def _licence_expired_in_use(c: _Event) -> None:
    """An event after the licence or permit used at submission expired, unless a renewed one (of
    the same receiver site / carrier) is valid that day."""
    session, m, on = c.session, c.m, c.on
    expired: list[dict[str, str]] = []
    if not (m.licence_id or m.permit_id):
        return
    # Both validity windows in one round trip; whether a renewal is valid that day is asked only
    # when one has expired.
    r = (
        await session.execute(
            text(
                """SELECT l.number, l.valid_to, l.site_id, p.number, p.valid_to, p.organisation_id FROM (SELECT 1) x
                   LEFT JOIN licence l ON l.id = :l LEFT JOIN transport_permit p ON p.id = :p"""
            ),
            {"l": m.licence_id, "p": m.permit_id},
        )
    ).one()
    lic = r[0:3] if r[0] is not None else None
    permit = r[3:6] if r[3] is not None else None
    if lic is not None and on > lic[1]:
        renewed = (
            await session.execute(
                select(Licence.id).where(Licence.site_id == lic[2], Licence.valid_from <= on, Licence.valid_to >= on)
            )
        ).first()
        if renewed is None:
            expired.append({"kind": "licence", "number": lic[0], "valid_to": str(lic[1])})
    if permit is not None and on > permit[1]:
        renewed = (
            await session.execute(
                select(TransportPermit.id).where(
                    TransportPermit.organisation_id == permit[2],
                    TransportPermit.valid_from <= on,
                    TransportPermit.valid_to >= on,
                )
            )
        ).first()
        if renewed is None:
            expired.append({"kind": "permit", "number": permit[0], "valid_to": str(permit[1])})
    if expired:
        await c.fire("licence_expired_in_use", {"expired": expired, "on": str(on)}, {"expired": expired})


async def _dropoff_place(c: _Event) -> None:
    """Where a drop-off really was: at the receiver, and inside the county / city the rule protects."""
    session, m, ev, settings, fire = c.session, c.m, c.ev, c.settings, c.fire
    # Where the drop-off was, how far from the receiver, which county covers it and the nearest
    # other registered site: one round trip.
    row = (
        (
            await session.execute(
                text(
                    """SELECT ST_X(e.location) AS lon, ST_Y(e.location) AS lat,
                  ST_Distance(e.location::geography, r.location::geography) AS to_receiver,
                  c.adcode AS county, c.parent_adcode AS city, n.id AS other_id, n.name AS other_name, n.d AS other_d
           FROM manifest_event e JOIN site r ON r.id = :r
           LEFT JOIN LATERAL (SELECT adcode, parent_adcode FROM jurisdiction WHERE level = 'county'
                              AND ST_Covers(geom, e.location) ORDER BY adcode LIMIT 1) c ON e.location IS NOT NULL
           LEFT JOIN LATERAL (SELECT s.id, s.name, ST_Distance(s.location::geography, e.location::geography) AS d
                              FROM site s WHERE s.id <> :r ORDER BY s.location <-> e.location LIMIT 1) n
                  ON e.location IS NOT NULL
           WHERE e.manifest_id = :m AND e.seq = :seq"""
                ),
                {"m": m.id, "seq": ev.seq, "r": m.receiver_site_id},
            )
        )
        .mappings()
        .one()
    )
    if row["lon"] is None:
        actual_county, actual_city = m.receiver_county, m.receiver_city  # no location: only the plan is known
    else:
        actual_county, actual_city = row["county"], row["city"]
        nearest = (row["other_id"], row["other_name"], row["other_d"]) if row["other_id"] is not None else None
        other = (str(nearest[0]), nearest[1], float(nearest[2])) if nearest else None
        e = checks.dropoff_not_at_receiver(
            float(row["to_receiver"]), other, c.geofence_m, settings["dropoff_not_at_receiver"].thresholds
        )
        if e is not None or actual_county is None:
            e = e or {"distance_to_receiver_m": f"{float(row['to_receiver']):.1f}", "reason": "outside_known_counties"}
            e |= {"dropoff": {"type": "Point", "coordinates": [row["lon"], row["lat"]]}}
            await fire("dropoff_not_at_receiver", e, {"seq": ev.seq, "reason": e["reason"]})
    scope = None
    if m.exemption_id:
        scope = (await session.execute(select(Exemption.scope).where(Exemption.id == m.exemption_id))).scalar()
    left = checks.left_jurisdiction(
        kind=m.kind,
        generator_county=m.generator_county,
        generator_city=m.generator_city,
        actual_county=actual_county,
        actual_city=actual_city,
        receiver_county=m.receiver_county,
        receiver_city=m.receiver_city,
        exemption_scope=scope,
    )
    if left is not None:
        rule_id, e = left
        if row["lon"] is not None:
            e |= {"dropoff": {"type": "Point", "coordinates": [row["lon"], row["lat"]]}}
        await fire(rule_id, e, {"seq": ev.seq, "county": actual_county})


async def _manifest_outside_plan(c: _Event) -> None:
    """The submission's plan check (``plan.check``) found lines outside the accepted plan."""
    plan = (c.ev.payload or {}).get("plan") or {}
    if plan.get("outside"):
        await c.fire(
            "manifest_outside_plan",
            {"filing_number": plan.get("filing_number"), "plan_id": plan.get("plan_id"), "lines": plan["outside"]},
            {"lines": plan["outside"], "version": plan.get("version")},
        )


_STOCK_SQL = text(
    """SELECT l.waste_code, sum(l.declared_kg) AS declared_kg,
              (SELECT COALESCE(sum(c.net_kg), 0) FROM waste_container c
                WHERE c.site_id = :site AND c.waste_code = l.waste_code
                  AND (c.status = 'in_storage' OR c.manifest_id = :m)) AS stored_kg
       FROM manifest_line l WHERE l.manifest_id = :m
         AND EXISTS (SELECT 1 FROM waste_container k WHERE k.site_id = :site)
       GROUP BY l.waste_code ORDER BY l.waste_code"""
)


async def _shipped_more_than_stored(c: _Event) -> None:
    """A manifest declaring more of a code than the site's ledger holds (sites keeping a ledger)."""
    m = c.m
    if not c.settings["shipped_more_than_stored"].enabled or m.purpose != "transfer":
        return
    rows = (await c.session.execute(_STOCK_SQL, {"site": m.pickup_site_id, "m": m.id})).all()
    over = [
        e
        for r in rows
        if (
            e := checks.more_than_stored(
                r.waste_code, r.declared_kg, r.stored_kg, c.settings["shipped_more_than_stored"].thresholds
            )
        )
    ]
    if over:
        await c.fire("shipped_more_than_stored", {"codes": over}, {"codes": over})


RuleCheck = Callable[[_Event], Awaitable[None]]

# Which rules each event type runs, in this order.
EVENT_RULES: dict[str, tuple[RuleCheck, ...]] = {
    EventType.SUBMITTED: (
        _long_distance,
        _nearer_capacity_ignored,
        _licence_expired_in_use,
        _manifest_outside_plan,
        _shipped_more_than_stored,
        money.no_contract_at_submission,
    ),
    EventType.PICKED_UP: (_scan_findings, _quantity_discrepancy, _licence_expired_in_use),
    EventType.HANDED_OVER: (_scan_findings, _handover_quantity_gap),
    EventType.DROPPED_OFF: (_scan_findings, _dropoff_place, _licence_expired_in_use, road.track_rules),
    EventType.RETURN_PICKED_UP: (_scan_findings,),
    EventType.RETURNED: (_scan_findings,),
    EventType.RECEIVED: (_receipt_exception, _quantity_discrepancy, _receiver_over_capacity, _licence_expired_in_use),
    EventType.DISPOSED: (_licence_expired_in_use,),
}


async def evaluate(session: AsyncSession, m: Manifest, ev: ManifestEvent, geofence_m: float | None = None) -> list[str]:
    """Run the rules that this event can trigger; returns the ids of the rules that fired."""
    if geofence_m is None:
        from waste_tracker.config import get_settings

        geofence_m = get_settings().geofence_radius_m
    c = _Event(session, m, ev, await effective_settings(session), geofence_m)
    for check in EVENT_RULES.get(ev.type, ()):
        await check(c)
    return c.fired


async def _nearest_capable_receiver(session: AsyncSession, m: Manifest) -> tuple[Any, str, float] | None:
    """The nearest other receiver site (PostGIS KNN) holding a licence valid on the planned date for
    every line's code (or category) and the planned method, with capacity left this year for the load."""
    lines = (
        await session.execute(select(ManifestLine.waste_code, ManifestLine.category_code).where(ManifestLine.manifest_id == m.id))
    ).all()
    codes = [c for c, _ in lines]
    cats = [k for _, k in lines]
    row = (
        await session.execute(
            text(
                """
        WITH g AS (SELECT location FROM site WHERE id = :gen)
        SELECT s.id, s.name, ST_Distance(s.location::geography, g.location::geography) AS d
        FROM g, site s JOIN licence l ON l.site_id = s.id
        WHERE s.id <> :chosen AND l.valid_from <= :on AND l.valid_to >= :on AND :method = ANY(l.method_codes)
          AND NOT EXISTS (
              SELECT 1 FROM unnest(CAST(:codes AS varchar[]), CAST(:cats AS varchar[])) AS x(code, cat)
              WHERE NOT (x.code = ANY(l.waste_codes) OR x.cat = ANY(l.waste_categories)))
          AND l.annual_capacity_t * 1000 - COALESCE((
              SELECT sum(y.accepted_kg) FROM licence_year_received y WHERE y.licence_id = l.id
                AND y.year >= :year), 0) >= :load
        ORDER BY s.location <-> g.location
        LIMIT 1
        """
            ),
            {
                "gen": m.generator_site_id,
                "chosen": m.receiver_site_id,
                "on": m.planned_pickup_date,
                "year": m.planned_pickup_date.year,
                "method": m.planned_method_code,
                "codes": codes,
                "cats": cats,
                "load": m.declared_kg,
            },
        )
    ).first()
    return (row[0], row[1], float(row[2])) if row else None
