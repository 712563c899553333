"""Tracks (issue #13): the positions a truck reports between the pickup and the drop-off scans.

``track_point`` is range-partitioned by ``recorded_at``, one partition a month, with a default
partition for anything outside the monthly ones. ``track_point_ensure_partitions(day, months)``
creates the months from ``day`` on that are missing; the scheduler calls it every day so the
coming months always exist (docs/scaling.md says why not pg_partman). The function runs with
its owner's rights (SECURITY DEFINER), so the application role, which may create nothing, can
call it; the partitions belong to the owner and are reached only through ``track_point``. Points
are evidence: append-only like the events.

Revision ID: 0015_tracks
Revises: 0014_catalogue_editions
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015_tracks"
down_revision: str | None = "0014_catalogue_editions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENSURE = """
CREATE FUNCTION track_point_ensure_partitions(start_day date, months integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    first date := date_trunc('month', start_day)::date;
    lo date;
    hi date;
    name text;
    made integer := 0;
BEGIN
    FOR i IN 0 .. months - 1 LOOP
        lo := (first + make_interval(months => i))::date;
        hi := (lo + interval '1 month')::date;
        name := format('track_point_y%sm%s', to_char(lo, 'YYYY'), to_char(lo, 'MM'));
        CONTINUE WHEN to_regclass(name) IS NOT NULL;
        -- Rows of that month already in the default partition keep it from being carved out.
        CONTINUE WHEN EXISTS (SELECT 1 FROM track_point_default
                              WHERE recorded_at >= lo::timestamptz AND recorded_at < hi::timestamptz);
        EXECUTE format('CREATE TABLE %I PARTITION OF track_point FOR VALUES FROM (%L) TO (%L)',
                       name, lo::timestamptz, hi::timestamptz);
        made := made + 1;
    END LOOP;
    RETURN made;
END $$
"""


def upgrade() -> None:
    op.execute("""
        CREATE TABLE track_point (
            manifest_id uuid NOT NULL,
            source varchar(8) NOT NULL CONSTRAINT ck_track_point_source CHECK (source IN ('phone', 'terminal')),
            recorded_at timestamptz NOT NULL,
            lon double precision NOT NULL CONSTRAINT ck_track_point_lon CHECK (lon BETWEEN -180 AND 180),
            lat double precision NOT NULL CONSTRAINT ck_track_point_lat CHECK (lat BETWEEN -90 AND 90),
            accuracy_m real,
            speed_kmh real,
            carrier_org_id uuid NOT NULL,
            received_at timestamptz NOT NULL,
            in_window boolean NOT NULL,
            CONSTRAINT pk_track_point PRIMARY KEY (manifest_id, source, recorded_at),
            CONSTRAINT fk_track_point_manifest_id_manifest FOREIGN KEY (manifest_id) REFERENCES manifest (id)
        ) PARTITION BY RANGE (recorded_at)
    """)
    op.execute("CREATE TABLE track_point_default PARTITION OF track_point DEFAULT")
    op.execute(ENSURE)
    # The month before this one and the next three exist from the start.
    op.execute("SELECT track_point_ensure_partitions((now() - interval '1 month')::date, 5)")
    op.execute("""
        CREATE FUNCTION track_point_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'track_point is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege', HINT = 'points are evidence: add, never change';
        END $$
    """)
    op.execute(
        "CREATE TRIGGER track_point_no_update_delete BEFORE UPDATE OR DELETE ON track_point "
        "FOR EACH ROW EXECUTE FUNCTION track_point_append_only()"
    )
    op.execute(
        "CREATE TRIGGER track_point_no_truncate BEFORE TRUNCATE ON track_point "
        "FOR EACH STATEMENT EXECUTE FUNCTION track_point_append_only()"
    )
    op.execute("ALTER TABLE track_point ENABLE ALWAYS TRIGGER track_point_no_update_delete")
    op.execute("ALTER TABLE track_point ENABLE ALWAYS TRIGGER track_point_no_truncate")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS track_point CASCADE")
    op.execute("DROP FUNCTION IF EXISTS track_point_append_only()")
    op.execute("DROP FUNCTION IF EXISTS track_point_ensure_partitions(date, integer)")
