"""Protected zones (issue #13): drinking-water source protection areas, ecological red-line areas
and others that a regulator imports, for the road rule ``protected_zone_entered``.

Revision ID: 0016_protected_zones
Revises: 0015_tracks
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import geoalchemy2
import sqlalchemy as sa
from alembic import op

revision: str = "0016_protected_zones"
down_revision: str | None = "0015_tracks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "protected_zone",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column(
            "geom",
            geoalchemy2.types.Geometry(geometry_type="MULTIPOLYGON", srid=4326, spatial_index=False, from_text="ST_GeomFromEWKT",
                                       name="geometry", nullable=False),
            nullable=False,
        ),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("source", sa.Text(), server_default="", nullable=False),
        sa.Column("is_example", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('drinking_water', 'ecological_redline', 'other')", name=op.f("ck_protected_zone_kind")
        ),
        sa.CheckConstraint("valid_to IS NULL OR valid_from <= valid_to", name=op.f("ck_protected_zone_validity")),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_protected_zone_created_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protected_zone")),
    )
    op.create_geospatial_index(
        "idx_protected_zone_geom", "protected_zone", ["geom"], unique=False, postgresql_using="gist", postgresql_ops={}
    )


def downgrade() -> None:
    op.drop_geospatial_index("idx_protected_zone_geom", table_name="protected_zone", postgresql_using="gist", column_name="geom")
    op.drop_table("protected_zone")
