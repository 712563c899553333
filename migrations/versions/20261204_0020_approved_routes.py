"""Regulator-approved routes (issue #13): for a pickup site and a receiver site, the road the
bureau approved; ``off_corridor`` then measures the track against it instead of the straight line.
A route is replaced by a newer one (the newest in force wins) and retired by its end date; rows
are kept, so an alert judged against a route stays explained.

Revision ID: 0020_approved_routes
Revises: 0019_handovers
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
from alembic import op

revision: str = "0020_approved_routes"
down_revision: str | None = "0019_handovers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "approved_route",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("pickup_site_id", sa.Uuid(), nullable=False),
        sa.Column("receiver_site_id", sa.Uuid(), nullable=False),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(geometry_type="LINESTRING", srid=4326, spatial_index=False),
            nullable=False,
        ),
        sa.Column("length_m", sa.Double(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("approved_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("valid_to IS NULL OR valid_from <= valid_to", name=op.f("ck_approved_route_validity")),
        sa.CheckConstraint("pickup_site_id <> receiver_site_id", name=op.f("ck_approved_route_pair")),
        sa.ForeignKeyConstraint(["pickup_site_id"], ["site.id"], name=op.f("fk_approved_route_pickup_site_id_site")),
        sa.ForeignKeyConstraint(["receiver_site_id"], ["site.id"], name=op.f("fk_approved_route_receiver_site_id_site")),
        sa.ForeignKeyConstraint(["approved_by"], ["app_user.id"], name=op.f("fk_approved_route_approved_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approved_route")),
    )
    op.create_index("ix_approved_route_pair", "approved_route", ["pickup_site_id", "receiver_site_id", "valid_from"])


def downgrade() -> None:
    op.drop_index("ix_approved_route_pair", table_name="approved_route")
    op.drop_table("approved_route")
