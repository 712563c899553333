"""The truck and driver a generator expects (issue #14, "pick the vehicle and driver when filing"):
two optional columns of the manifest, set by its draft events (the projection replays them).

Revision ID: 0024_planned_crew
Revises: 0023_notification_reads
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024_planned_crew"
down_revision: str | None = "0023_notification_reads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("manifest", sa.Column("planned_vehicle_plate", sa.String(length=16), nullable=True))
    op.add_column("manifest", sa.Column("planned_driver_id", sa.Uuid(), nullable=True))
    op.create_foreign_key("fk_manifest_planned_driver_id_app_user", "manifest", "app_user", ["planned_driver_id"], ["id"])


def downgrade() -> None:
    op.drop_constraint("fk_manifest_planned_driver_id_app_user", "manifest", type_="foreignkey")
    op.drop_column("manifest", "planned_driver_id")
    op.drop_column("manifest", "planned_vehicle_plate")
