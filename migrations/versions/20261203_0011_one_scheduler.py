"""One scheduler for the deployment: the ``scheduled_job`` table.

The sweep ran on a timer in every worker (an advisory lock kept runs from overlapping, not from
repeating), and nothing scheduled the daily anchors. Each job now has a row; a worker runs a job
only after claiming it with ``UPDATE ... WHERE next_due <= now RETURNING``, so each runs once per
interval however many workers and instances there are.

Revision ID: 0011_one_scheduler
Revises: 0010_least_privilege
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_one_scheduler"
down_revision: str | None = "0010_least_privilege"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduled_job",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("next_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_owner", sa.Text(), nullable=True),
        sa.Column("last_outcome", sa.Text(), nullable=True),
        sa.Column("runs", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduled_job")),
    )


def downgrade() -> None:
    op.drop_table("scheduled_job")
