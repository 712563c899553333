"""maintained roll-ups: flows per day and county pair (flow_daily), tonnage received per licence
and year (licence_year_received), both kept by triggers; index for the regulators' KPI window

Revision ID: 0005_flow_rollup
Revises: 0004_anchors
Create Date: 2026-11-29 09:00:00.000000+00:00
"""
from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0005_flow_rollup'
down_revision: str | None = '0004_anchors'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The SQL below is a copy of waste_tracker/stats/rollup.py as of this revision (a migration must
# not change when the code does).
FLOW_TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION manifest_flow_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_day date;
    new_day date;
    old_kg numeric;
    new_kg numeric;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.picked_up_at IS NOT NULL THEN
        old_day := (OLD.picked_up_at AT TIME ZONE 'Asia/Shanghai')::date;
        old_kg := COALESCE(OLD.received_kg, OLD.picked_up_kg, OLD.declared_kg);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.picked_up_at IS NOT NULL THEN
        new_day := (NEW.picked_up_at AT TIME ZONE 'Asia/Shanghai')::date;
        new_kg := COALESCE(NEW.received_kg, NEW.picked_up_kg, NEW.declared_kg);
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
        INSERT INTO flow_daily (day, kind, generator_county, receiver_county, generator_city, receiver_city, manifests, tonnage_kg)
        VALUES (new_day, NEW.kind, NEW.generator_county, NEW.receiver_county, NEW.generator_city, NEW.receiver_city,
                1, new_kg)
        ON CONFLICT (day, kind, generator_county, receiver_county, generator_city, receiver_city) DO UPDATE
            SET manifests = flow_daily.manifests + 1, tonnage_kg = flow_daily.tonnage_kg + EXCLUDED.tonnage_kg;
    END IF;
    RETURN NULL;
END $$
"""
FLOW_TRIGGERS = [
    'CREATE TRIGGER manifest_flow_rollup_insert AFTER INSERT ON manifest\n       FOR EACH ROW WHEN (NEW.picked_up_at IS NOT NULL) EXECUTE FUNCTION manifest_flow_rollup()',
    'CREATE TRIGGER manifest_flow_rollup_update AFTER UPDATE ON manifest\n       FOR EACH ROW WHEN (OLD.picked_up_at IS DISTINCT FROM NEW.picked_up_at OR OLD.received_kg IS DISTINCT FROM NEW.received_kg OR OLD.picked_up_kg IS DISTINCT FROM NEW.picked_up_kg OR OLD.declared_kg IS DISTINCT FROM NEW.declared_kg OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.generator_county IS DISTINCT FROM NEW.generator_county OR OLD.receiver_county IS DISTINCT FROM NEW.receiver_county OR OLD.generator_city IS DISTINCT FROM NEW.generator_city OR OLD.receiver_city IS DISTINCT FROM NEW.receiver_city)\n       EXECUTE FUNCTION manifest_flow_rollup()',
    'CREATE TRIGGER manifest_flow_rollup_delete AFTER DELETE ON manifest\n       FOR EACH ROW WHEN (OLD.picked_up_at IS NOT NULL) EXECUTE FUNCTION manifest_flow_rollup()',
]
LICENCE_TRIGGER_FUNCTION = """
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
LICENCE_TRIGGERS = [
    'CREATE TRIGGER manifest_licence_rollup_insert AFTER INSERT ON manifest\n       FOR EACH ROW WHEN (NEW.licence_id IS NOT NULL AND NEW.received_at IS NOT NULL)\n       EXECUTE FUNCTION manifest_licence_rollup()',
    'CREATE TRIGGER manifest_licence_rollup_update AFTER UPDATE ON manifest\n       FOR EACH ROW WHEN (OLD.licence_id IS DISTINCT FROM NEW.licence_id OR OLD.received_at IS DISTINCT FROM NEW.received_at\n                          OR OLD.received_kg IS DISTINCT FROM NEW.received_kg)\n       EXECUTE FUNCTION manifest_licence_rollup()',
    'CREATE TRIGGER manifest_licence_rollup_delete AFTER DELETE ON manifest\n       FOR EACH ROW WHEN (OLD.licence_id IS NOT NULL AND OLD.received_at IS NOT NULL)\n       EXECUTE FUNCTION manifest_licence_rollup()',
]
BACKFILL = [
    "INSERT INTO flow_daily (day, kind, generator_county, receiver_county, generator_city, receiver_city, manifests, tonnage_kg)\n        SELECT (m.picked_up_at AT TIME ZONE 'Asia/Shanghai')::date, m.kind, m.generator_county, m.receiver_county, m.generator_city, m.receiver_city,\n               count(*), sum(COALESCE(m.received_kg, m.picked_up_kg, m.declared_kg))\n        FROM manifest m WHERE m.picked_up_at IS NOT NULL\n        GROUP BY 1, 2, 3, 4, 5, 6",
    "INSERT INTO licence_year_received (licence_id, year, manifests, received_kg)\n        SELECT m.licence_id, extract(year FROM m.received_at AT TIME ZONE 'Asia/Shanghai')::int, count(*), COALESCE(sum(m.received_kg), 0)\n        FROM manifest m WHERE m.licence_id IS NOT NULL AND m.received_at IS NOT NULL\n        GROUP BY 1, 2",
]


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('flow_daily',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('generator_county', sa.Integer(), nullable=False),
    sa.Column('receiver_county', sa.Integer(), nullable=False),
    sa.Column('generator_city', sa.Integer(), nullable=False),
    sa.Column('receiver_city', sa.Integer(), nullable=False),
    sa.Column('manifests', sa.Integer(), nullable=False),
    sa.Column('tonnage_kg', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.PrimaryKeyConstraint('day', 'kind', 'generator_county', 'receiver_county', 'generator_city', 'receiver_city', name='pk_flow_daily')
    )
    op.create_table('licence_year_received',
    sa.Column('licence_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('manifests', sa.Integer(), nullable=False),
    sa.Column('received_kg', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.PrimaryKeyConstraint('licence_id', 'year', name='pk_licence_year_received')
    )
    op.create_index('ix_manifest_submitted_at', 'manifest', ['submitted_at'], unique=False, postgresql_where=sa.text('submitted_at IS NOT NULL'))
    # ### end Alembic commands ###

    # Kept exact in the same transaction as every manifest change that moves a contribution.
    op.execute(FLOW_TRIGGER_FUNCTION)
    for stmt in FLOW_TRIGGERS:
        op.execute(stmt)
    op.execute(LICENCE_TRIGGER_FUNCTION)
    for stmt in LICENCE_TRIGGERS:
        op.execute(stmt)
    op.execute("LOCK TABLE manifest IN SHARE MODE")  # no change may slip between the backfill and the triggers
    for stmt in BACKFILL:
        op.execute(stmt)


def downgrade() -> None:
    for name in ("licence_rollup", "flow_rollup"):
        for op_ in ("delete", "update", "insert"):
            op.execute(f"DROP TRIGGER IF EXISTS manifest_{name}_{op_} ON manifest")
    op.execute("DROP FUNCTION IF EXISTS manifest_licence_rollup()")
    op.execute("DROP FUNCTION IF EXISTS manifest_flow_rollup()")
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_index('ix_manifest_submitted_at', table_name='manifest', postgresql_where=sa.text('submitted_at IS NOT NULL'))
    op.drop_table('licence_year_received')
    op.drop_table('flow_daily')
    # ### end Alembic commands ###
