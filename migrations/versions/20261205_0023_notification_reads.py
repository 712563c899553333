"""Notifications in the app (issue #14): what each user has read. The notifications themselves are
a projection of manifest events and alert history; only the reader's marks are stored, insert-only
(one row per notification read, one per "mark all read").

Revision ID: 0023_notification_reads
Revises: 0022_exemption_requests
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_notification_reads"
down_revision: str | None = "0022_exemption_requests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_read",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.String(length=96), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_notification_read_user_id_app_user")),
        sa.PrimaryKeyConstraint("user_id", "item_id", name=op.f("pk_notification_read")),
    )
    op.create_table(
        "notification_read_all",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("up_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_notification_read_all_user_id_app_user")),
        sa.PrimaryKeyConstraint("user_id", "up_to", name=op.f("pk_notification_read_all")),
    )


def downgrade() -> None:
    op.drop_table("notification_read_all")
    op.drop_table("notification_read")
