"""Weighbridge tickets (issue #13): generators' and receivers' scale readings, append-only,
matched to manifests by plate, site and time when read.

Revision ID: 0017_weighbridge_tickets
Revises: 0016_protected_zones
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_weighbridge_tickets"
down_revision: str | None = "0016_protected_zones"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "weighbridge_ticket",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("county_adcode", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("plate", sa.String(length=16), nullable=False),
        sa.Column("gross_kg", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("tare_kg", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("net_kg", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("weighed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scale_id", sa.Text(), server_default="", nullable=False),
        sa.Column("photo_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("side IN ('generator', 'receiver')", name=op.f("ck_weighbridge_ticket_side")),
        sa.CheckConstraint("gross_kg > tare_kg AND tare_kg >= 0 AND net_kg > 0", name=op.f("ck_weighbridge_ticket_weights")),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_weighbridge_ticket_site_id_site")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_weighbridge_ticket_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_weighbridge_ticket_created_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weighbridge_ticket")),
    )
    op.create_index(op.f("ix_weighbridge_ticket_organisation_id"), "weighbridge_ticket", ["organisation_id"])
    op.create_index("ix_weighbridge_ticket_site_plate_time", "weighbridge_ticket", ["site_id", "plate", "weighed_at"])
    op.execute(
        "CREATE TRIGGER weighbridge_ticket_no_update_delete BEFORE UPDATE OR DELETE ON weighbridge_ticket "
        "FOR EACH ROW EXECUTE FUNCTION cradle_append_only()"
    )
    op.execute(
        "CREATE TRIGGER weighbridge_ticket_no_truncate BEFORE TRUNCATE ON weighbridge_ticket "
        "FOR EACH STATEMENT EXECUTE FUNCTION cradle_append_only()"
    )
    op.execute("ALTER TABLE weighbridge_ticket ENABLE ALWAYS TRIGGER weighbridge_ticket_no_update_delete")
    op.execute("ALTER TABLE weighbridge_ticket ENABLE ALWAYS TRIGGER weighbridge_ticket_no_truncate")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS weighbridge_ticket_no_truncate ON weighbridge_ticket")
    op.execute("DROP TRIGGER IF EXISTS weighbridge_ticket_no_update_delete ON weighbridge_ticket")
    op.drop_table("weighbridge_ticket")
