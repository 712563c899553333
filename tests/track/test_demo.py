"""The demo's road: the relay, the approved route, the stop by the example zone and the tickets,
through the real services — each firing the rule it is there to show, the others quiet, and
idempotent."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker import clock
from waste_tracker.models import Alert
from waste_tracker.seed.demo import seed
from waste_tracker.seed.road import seed_road

DEMO_AT = clock.at(2026, 11, 20, 10)


async def test_the_demo_road(session: AsyncSession) -> None:
    with clock.frozen(DEMO_AT):
        await seed(session)
        assert await seed_road(session) == {"journeys": 3}
        assert await seed_road(session) == {"journeys": 0}
    by_number = {
        r.number: r
        for r in (
            await session.execute(
                text("""SELECT m.number, m.leg, cardinality(m.handover_carrier_org_ids) AS more, m.status,
                               (SELECT count(*) FROM track_point p WHERE p.manifest_id = m.id AND p.in_window) AS points
                        FROM manifest m""")
            )
        ).all()
    }
    relay = [r for r in by_number.values() if r.more == 1]
    assert len(relay) == 1 and relay[0].leg == 2 and relay[0].status == "received" and relay[0].points > 100
    assert all(r.points > 0 for r in by_number.values())
    alerts = (await session.execute(select(Alert.rule_id, Alert.evidence))).all()
    fired = {a.rule_id for a in alerts}
    assert {"stop_away_from_site", "protected_zone_entered", "weight_mismatch", "unmatched_ticket"} <= fired, fired
    assert not {"off_corridor", "track_gap", "impossible_movement", "handover_quantity_gap"} & fired, fired
