"""Weighbridge ticket photos (issue #13): the image itself, kept by its SHA-256 (the ticket names
it), append-only like the tickets. One row per distinct image: the same photo sent twice is one row.

Revision ID: 0021_ticket_photos
Revises: 0020_approved_routes
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_ticket_photos"
down_revision: str | None = "0020_approved_routes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ticket_photo",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("media_type IN ('image/jpeg', 'image/png', 'image/webp')", name=op.f("ck_ticket_photo_media_type")),
        sa.CheckConstraint("size = octet_length(content)", name=op.f("ck_ticket_photo_size")),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_ticket_photo")),
    )
    op.execute(
        "CREATE TRIGGER ticket_photo_no_update_delete BEFORE UPDATE OR DELETE ON ticket_photo "
        "FOR EACH ROW EXECUTE FUNCTION cradle_append_only()"
    )
    op.execute(
        "CREATE TRIGGER ticket_photo_no_truncate BEFORE TRUNCATE ON ticket_photo "
        "FOR EACH STATEMENT EXECUTE FUNCTION cradle_append_only()"
    )
    op.execute("ALTER TABLE ticket_photo ENABLE ALWAYS TRIGGER ticket_photo_no_update_delete")
    op.execute("ALTER TABLE ticket_photo ENABLE ALWAYS TRIGGER ticket_photo_no_truncate")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS ticket_photo_no_truncate ON ticket_photo")
    op.execute("DROP TRIGGER IF EXISTS ticket_photo_no_update_delete ON ticket_photo")
    op.drop_table("ticket_photo")
