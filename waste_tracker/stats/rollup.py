"""The maintained roll-ups: ``flow_daily`` (the flows map) and ``licence_year_received`` (the
capacity rules) — how they are kept exact, and how to rebuild them.

A trigger on ``manifest`` (migration 0005 installs it; its SQL lives only there) moves a
manifest's contribution whenever its pickup time, its tonnage (received, else picked up, else
declared) or its kind or counties change, in the same transaction as the event that changed them: the roll-up is never behind a
committed manifest. The flows query then sums at most one row per day and county pair instead of
every manifest picked up in the period. ``REBUILD_SQL`` recomputes it from the manifests (after
a bulk load that bypassed triggers, or to check it: it must change nothing).
"""

from __future__ import annotations

from waste_tracker.clock import SQL_ZONE

TONNAGE_KG = "COALESCE({m}.received_kg, {m}.picked_up_kg, {m}.declared_kg)"
DAY = "({m}.picked_up_at AT TIME ZONE " + SQL_ZONE + ")::date"
KEY_COLUMNS = "kind, generator_county, receiver_county, generator_city, receiver_city"

YEAR = "extract(year FROM {m}.received_at AT TIME ZONE " + SQL_ZONE + ")::int"

REBUILD_SQL = [
    "DELETE FROM flow_daily",
    f"""INSERT INTO flow_daily (day, {KEY_COLUMNS}, manifests, tonnage_kg)
        SELECT {DAY.format(m="m")}, {", ".join("m." + c.strip() for c in KEY_COLUMNS.split(","))},
               count(*), sum({TONNAGE_KG.format(m="m")})
        FROM manifest m WHERE m.picked_up_at IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5, 6""",
    "DELETE FROM licence_year_received",
    f"""INSERT INTO licence_year_received (licence_id, year, manifests, received_kg, accepted_kg)
        SELECT m.licence_id, {YEAR.format(m="m")}, count(*), COALESCE(sum(m.received_kg), 0),
               COALESCE(sum(COALESCE(m.accepted_kg, m.received_kg)), 0)
        FROM manifest m WHERE m.licence_id IS NOT NULL AND m.received_at IS NOT NULL
        GROUP BY 1, 2""",
]
