"""Trust: the parties as submitted, the counties where an alert's events happened, and the
capacity roll-up counting what was accepted.

- ``manifest.parties``: the parties' names and credit codes at submission, projected from the
  submitted event (null for drafts and for manifests submitted before this revision, which show
  the registry's names as before).
- ``alert.event_counties``: every county where an event an alert is about happened (pickup,
  drop-off, scan), so that county's regulator sees it; backfilled from the located events and the
  drop-off county kept in the evidence.
- ``licence_year_received.accepted_kg``: a partial acceptance's rejected part goes back to the
  generator, so it must not count against the receiver's capacity (revision 0005 summed
  ``received_kg``). The trigger now keeps both; the column is rebuilt from the manifests.

Revision ID: 0007_event_counties
Revises: 0006_registry_trust
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007_event_counties"
down_revision: str | None = "0006_registry_trust"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here (a migration must not change when the code does).
LICENCE_TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION manifest_licence_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_year int;
    new_year int;
    old_kg numeric;
    new_kg numeric;
    old_acc numeric;
    new_acc numeric;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.licence_id IS NOT NULL AND OLD.received_at IS NOT NULL THEN
        old_year := extract(year FROM OLD.received_at AT TIME ZONE 'Asia/Shanghai')::int;
        old_kg := COALESCE(OLD.received_kg, 0);
        old_acc := COALESCE(OLD.accepted_kg, OLD.received_kg, 0);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.licence_id IS NOT NULL AND NEW.received_at IS NOT NULL THEN
        new_year := extract(year FROM NEW.received_at AT TIME ZONE 'Asia/Shanghai')::int;
        new_kg := COALESCE(NEW.received_kg, 0);
        new_acc := COALESCE(NEW.accepted_kg, NEW.received_kg, 0);
    END IF;
    IF old_year IS NOT NULL AND new_year IS NOT NULL AND old_year = new_year AND OLD.licence_id = NEW.licence_id THEN
        IF new_kg IS DISTINCT FROM old_kg OR new_acc IS DISTINCT FROM old_acc THEN
            UPDATE licence_year_received SET received_kg = received_kg + (new_kg - old_kg),
                                             accepted_kg = accepted_kg + (new_acc - old_acc)
            WHERE licence_id = NEW.licence_id AND year = new_year;
        END IF;
        RETURN NULL;
    END IF;
    IF old_year IS NOT NULL THEN
        UPDATE licence_year_received SET manifests = manifests - 1, received_kg = received_kg - old_kg,
                                         accepted_kg = accepted_kg - old_acc
        WHERE licence_id = OLD.licence_id AND year = old_year;
    END IF;
    IF new_year IS NOT NULL THEN
        INSERT INTO licence_year_received (licence_id, year, manifests, received_kg, accepted_kg)
        VALUES (NEW.licence_id, new_year, 1, new_kg, new_acc)
        ON CONFLICT (licence_id, year) DO UPDATE
            SET manifests = licence_year_received.manifests + 1,
                received_kg = licence_year_received.received_kg + EXCLUDED.received_kg,
                accepted_kg = licence_year_received.accepted_kg + EXCLUDED.accepted_kg;
    END IF;
    RETURN NULL;
END $$
"""
LICENCE_UPDATE_TRIGGER = """CREATE TRIGGER manifest_licence_rollup_update AFTER UPDATE ON manifest
       FOR EACH ROW WHEN (OLD.licence_id IS DISTINCT FROM NEW.licence_id OR OLD.received_at IS DISTINCT FROM NEW.received_at
                          OR OLD.received_kg IS DISTINCT FROM NEW.received_kg
                          OR OLD.accepted_kg IS DISTINCT FROM NEW.accepted_kg)
       EXECUTE FUNCTION manifest_licence_rollup()"""
ACCEPTED_BACKFILL = """UPDATE licence_year_received y SET accepted_kg = x.kg
    FROM (SELECT m.licence_id, extract(year FROM m.received_at AT TIME ZONE 'Asia/Shanghai')::int AS year,
                 COALESCE(sum(COALESCE(m.accepted_kg, m.received_kg)), 0) AS kg
          FROM manifest m WHERE m.licence_id IS NOT NULL AND m.received_at IS NOT NULL GROUP BY 1, 2) x
    WHERE y.licence_id = x.licence_id AND y.year = x.year"""
# Revision 0005's function, restored on downgrade.
LICENCE_TRIGGER_FUNCTION_0005 = """
CREATE OR REPLACE FUNCTION manifest_licence_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_year int;
    new_year int;
    old_kg numeric;
    new_kg numeric;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.licence_id IS NOT NULL AND OLD.received_at IS NOT NULL THEN
        old_year := extract(year FROM OLD.received_at AT TIME ZONE 'Asia/Shanghai')::int;
        old_kg := COALESCE(OLD.received_kg, 0);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.licence_id IS NOT NULL AND NEW.received_at IS NOT NULL THEN
        new_year := extract(year FROM NEW.received_at AT TIME ZONE 'Asia/Shanghai')::int;
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
# The county covering each alert's located event, and the drop-off county its evidence names.
EVENT_COUNTIES_BACKFILL = """UPDATE alert a SET event_counties = x.counties
    FROM (SELECT a2.id, array_agg(DISTINCT c ORDER BY c) AS counties
          FROM alert a2
          CROSS JOIN LATERAL (
              SELECT j.adcode AS c FROM manifest_event e JOIN jurisdiction j
                  ON j.level = 'county' AND ST_Covers(j.geom, e.location)
              WHERE e.manifest_id = a2.manifest_id AND e.location IS NOT NULL
                AND e.seq = (CASE WHEN a2.evidence->>'event_seq' ~ '^[0-9]+$' THEN (a2.evidence->>'event_seq')::int END)
              UNION ALL
              SELECT (a2.evidence->>'dropoff_county')::int WHERE a2.evidence->>'dropoff_county' ~ '^[0-9]+$'
          ) found
          GROUP BY a2.id) x
    WHERE a.id = x.id"""


def upgrade() -> None:
    op.add_column("manifest", sa.Column("parties", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column(
        "alert",
        sa.Column("event_counties", postgresql.ARRAY(sa.Integer()), server_default=sa.text("'{}'::integer[]"), nullable=False),
    )
    op.create_index("ix_alert_event_counties", "alert", ["event_counties"], unique=False, postgresql_using="gin")
    op.execute(EVENT_COUNTIES_BACKFILL)

    op.add_column(
        "licence_year_received",
        sa.Column("accepted_kg", sa.Numeric(precision=18, scale=3), server_default="0", nullable=False),
    )
    op.execute("LOCK TABLE manifest IN SHARE MODE")  # no receipt may slip between the backfill and the trigger
    op.execute(LICENCE_TRIGGER_FUNCTION)
    op.execute("DROP TRIGGER manifest_licence_rollup_update ON manifest")
    op.execute(LICENCE_UPDATE_TRIGGER)
    op.execute(ACCEPTED_BACKFILL)


def downgrade() -> None:
    op.execute("DROP TRIGGER manifest_licence_rollup_update ON manifest")
    op.execute(
        """CREATE TRIGGER manifest_licence_rollup_update AFTER UPDATE ON manifest
       FOR EACH ROW WHEN (OLD.licence_id IS DISTINCT FROM NEW.licence_id OR OLD.received_at IS DISTINCT FROM NEW.received_at
                          OR OLD.received_kg IS DISTINCT FROM NEW.received_kg)
       EXECUTE FUNCTION manifest_licence_rollup()"""
    )
    op.execute(LICENCE_TRIGGER_FUNCTION_0005)
    op.drop_column("licence_year_received", "accepted_kg")
    op.drop_index("ix_alert_event_counties", table_name="alert", postgresql_using="gin")
    op.drop_column("alert", "event_counties")
    op.drop_column("manifest", "parties")
