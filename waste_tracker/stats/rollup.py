"""The maintained roll-ups: ``flow_daily`` (the flows map) and ``licence_year_received`` (the
capacity rules) — how they are kept exact, and how to rebuild them.

A trigger on ``manifest`` (installed by migration 0005) moves a manifest's contribution whenever
its pickup time, its tonnage (received, else picked up, else declared) or its kind or counties
change, in the same transaction as the event that changed them: the roll-up is never behind a
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
    f"""INSERT INTO licence_year_received (licence_id, year, manifests, received_kg)
        SELECT m.licence_id, {YEAR.format(m="m")}, count(*), COALESCE(sum(m.received_kg), 0)
        FROM manifest m WHERE m.licence_id IS NOT NULL AND m.received_at IS NOT NULL
        GROUP BY 1, 2""",
]

# The trigger function (migration 0005 installs this text; kept here so code and tests can see it).
TRIGGER_FUNCTION = f"""
CREATE OR REPLACE FUNCTION manifest_flow_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_day date;
    new_day date;
    old_kg numeric;
    new_kg numeric;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.picked_up_at IS NOT NULL THEN
        old_day := {DAY.format(m="OLD")};
        old_kg := {TONNAGE_KG.format(m="OLD")};
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.picked_up_at IS NOT NULL THEN
        new_day := {DAY.format(m="NEW")};
        new_kg := {TONNAGE_KG.format(m="NEW")};
    END IF;
    IF old_day IS NOT NULL AND new_day IS NOT NULL AND old_day = new_day
       AND (OLD.kind, OLD.generator_county, OLD.receiver_county, OLD.generator_city, OLD.receiver_city)
           = (NEW.kind, NEW.generator_county, NEW.receiver_county, NEW.generator_city, NEW.receiver_city) THEN
        -- Same row of the roll-up: only the tonnage can have changed (a receipt after the pickup).
        IF new_kg IS DISTINCT FROM old_kg THEN
            UPDATE flow_daily SET tonnage_kg = tonnage_kg + (new_kg - old_kg)
            WHERE day = new_day AND kind = NEW.kind AND generator_county = NEW.generator_county
              AND receiver_county = NEW.receiver_county AND generator_city = NEW.generator_city
              AND receiver_city = NEW.receiver_city;
        END IF;
        RETURN NULL;
    END IF;
    IF old_day IS NOT NULL THEN
        UPDATE flow_daily SET manifests = manifests - 1, tonnage_kg = tonnage_kg - old_kg
        WHERE day = old_day AND kind = OLD.kind AND generator_county = OLD.generator_county
          AND receiver_county = OLD.receiver_county AND generator_city = OLD.generator_city
          AND receiver_city = OLD.receiver_city;
    END IF;
    IF new_day IS NOT NULL THEN
        INSERT INTO flow_daily (day, {KEY_COLUMNS}, manifests, tonnage_kg)
        VALUES (new_day, NEW.kind, NEW.generator_county, NEW.receiver_county, NEW.generator_city, NEW.receiver_city,
                1, new_kg)
        ON CONFLICT (day, {KEY_COLUMNS}) DO UPDATE
            SET manifests = flow_daily.manifests + 1, tonnage_kg = flow_daily.tonnage_kg + EXCLUDED.tonnage_kg;
    END IF;
    RETURN NULL;
END $$
"""
WATCHED = (
    "picked_up_at",
    "received_kg",
    "picked_up_kg",
    "declared_kg",
    "kind",
    "generator_county",
    "receiver_county",
    "generator_city",
    "receiver_city",
)
TRIGGERS = [
    """CREATE TRIGGER manifest_flow_rollup_insert AFTER INSERT ON manifest
       FOR EACH ROW WHEN (NEW.picked_up_at IS NOT NULL) EXECUTE FUNCTION manifest_flow_rollup()""",
    f"""CREATE TRIGGER manifest_flow_rollup_update AFTER UPDATE ON manifest
       FOR EACH ROW WHEN ({" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in WATCHED)})
       EXECUTE FUNCTION manifest_flow_rollup()""",
    """CREATE TRIGGER manifest_flow_rollup_delete AFTER DELETE ON manifest
       FOR EACH ROW WHEN (OLD.picked_up_at IS NOT NULL) EXECUTE FUNCTION manifest_flow_rollup()""",
]

# The licence-year roll-up: a receipt counts for its licence in the (Asia/Shanghai) year it was
# received; a manifest moves between rows only if its licence or receipt time changes.
LICENCE_TRIGGER_FUNCTION = f"""
CREATE OR REPLACE FUNCTION manifest_licence_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_year int;
    new_year int;
    old_kg numeric;
    new_kg numeric;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.licence_id IS NOT NULL AND OLD.received_at IS NOT NULL THEN
        old_year := {YEAR.format(m="OLD")};
        old_kg := COALESCE(OLD.received_kg, 0);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.licence_id IS NOT NULL AND NEW.received_at IS NOT NULL THEN
        new_year := {YEAR.format(m="NEW")};
        new_kg := COALESCE(NEW.received_kg, 0);
    END IF;
    IF old_year IS NOT NULL AND new_year IS NOT NULL AND old_year = new_year AND OLD.licence_id = NEW.licence_id THEN
        IF new_kg IS DISTINCT FROM old_kg THEN
            UPDATE licence_year_received SET received_kg = received_kg + (new_kg - old_kg)
            WHERE licence_id = NEW.licence_id AND year = new_year;
        END IF;
        RETURN NULL;
    END IF;
    IF old_year IS NOT NULL THEN
        UPDATE licence_year_received SET manifests = manifests - 1, received_kg = received_kg - old_kg
        WHERE licence_id = OLD.licence_id AND year = old_year;
    END IF;
    IF new_year IS NOT NULL THEN
        INSERT INTO licence_year_received (licence_id, year, manifests, received_kg)
        VALUES (NEW.licence_id, new_year, 1, new_kg)
        ON CONFLICT (licence_id, year) DO UPDATE
            SET manifests = licence_year_received.manifests + 1,
                received_kg = licence_year_received.received_kg + EXCLUDED.received_kg;
    END IF;
    RETURN NULL;
END $$
"""
LICENCE_TRIGGERS = [
    """CREATE TRIGGER manifest_licence_rollup_insert AFTER INSERT ON manifest
       FOR EACH ROW WHEN (NEW.licence_id IS NOT NULL AND NEW.received_at IS NOT NULL)
       EXECUTE FUNCTION manifest_licence_rollup()""",
    """CREATE TRIGGER manifest_licence_rollup_update AFTER UPDATE ON manifest
       FOR EACH ROW WHEN (OLD.licence_id IS DISTINCT FROM NEW.licence_id OR OLD.received_at IS DISTINCT FROM NEW.received_at
                          OR OLD.received_kg IS DISTINCT FROM NEW.received_kg)
       EXECUTE FUNCTION manifest_licence_rollup()""",
    """CREATE TRIGGER manifest_licence_rollup_delete AFTER DELETE ON manifest
       FOR EACH ROW WHEN (OLD.licence_id IS NOT NULL AND OLD.received_at IS NOT NULL)
       EXECUTE FUNCTION manifest_licence_rollup()""",
]
