"""Handover between carriers (issue #13; 危险废物转移管理办法 Art. 17): a manifest may list up to
four more carriers after the first, in order, each taking the load over at a registered site. The
carriers and sites are part of the draft (recorded on its events); ``leg`` is the projection's
count of the carriers that have held the load (1 at pickup, +1 at each handover).

A track point is now keyed by its carrier too: two carriers' phones (the one handing over still
recording) may report the same instant, and neither may pass for a re-sent copy of the other.

Revision ID: 0019_handovers
Revises: 0018_site_kinds
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0019_handovers"
down_revision: str | None = "0018_site_kinds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_constraint("pk_track_point", "track_point", type_="primary")
    op.create_primary_key("pk_track_point", "track_point", ["manifest_id", "source", "carrier_org_id", "recorded_at"])
    op.add_column(
        "manifest",
        sa.Column("handover_carrier_org_ids", postgresql.ARRAY(sa.Uuid()), server_default="{}", nullable=False),
    )
    op.add_column(
        "manifest", sa.Column("handover_site_ids", postgresql.ARRAY(sa.Uuid()), server_default="{}", nullable=False)
    )
    op.add_column("manifest", sa.Column("leg", sa.SmallInteger(), server_default="1", nullable=False))
    op.create_check_constraint(
        op.f("ck_manifest_handovers"),
        "manifest",
        "cardinality(handover_carrier_org_ids) = cardinality(handover_site_ids) AND cardinality(handover_carrier_org_ids) <= 4",
    )
    op.create_check_constraint(
        op.f("ck_manifest_leg"), "manifest", "leg BETWEEN 1 AND 1 + cardinality(handover_carrier_org_ids)"
    )
    # A later carrier's drivers list the loads they will take over. Partial: the many manifests
    # with one carrier never touch it (queries repeat the predicate so the planner can use it).
    op.create_index(
        "ix_manifest_handover_carriers",
        "manifest",
        ["handover_carrier_org_ids"],
        postgresql_using="gin",
        postgresql_where=sa.text("cardinality(handover_carrier_org_ids) > 0"),
    )


def downgrade() -> None:
    op.drop_index("ix_manifest_handover_carriers", table_name="manifest")
    op.drop_constraint(op.f("ck_manifest_leg"), "manifest", type_="check")
    op.drop_constraint(op.f("ck_manifest_handovers"), "manifest", type_="check")
    op.drop_column("manifest", "leg")
    op.drop_column("manifest", "handover_site_ids")
    op.drop_column("manifest", "handover_carrier_org_ids")
    op.drop_constraint("pk_track_point", "track_point", type_="primary")
    op.create_primary_key("pk_track_point", "track_point", ["manifest_id", "source", "recorded_at"])
