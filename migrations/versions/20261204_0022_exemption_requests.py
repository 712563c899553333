"""Exemption requests (issue #14): an enterprise asks for an exemption to the jurisdiction rule; a
regulator grants it (which makes the exemption, under today's rules and caps) or refuses it with a
reason. The request keeps its status; the exemption it led to is named.

Revision ID: 0022_exemption_requests
Revises: 0021_ticket_photos
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0022_exemption_requests"
down_revision: str | None = "0021_ticket_photos"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exemption_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("generator_org_id", sa.Uuid(), nullable=False),
        sa.Column("generator_site_id", sa.Uuid(), nullable=False),
        sa.Column("receiver_site_id", sa.Uuid(), nullable=False),
        sa.Column("waste_codes", postgresql.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("quantity_kg", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), server_default="", nullable=False),
        sa.Column("exemption_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("scope IN ('cross_county', 'cross_city')", name=op.f("ck_exemption_request_scope")),
        sa.CheckConstraint("status IN ('pending', 'granted', 'refused', 'withdrawn')", name=op.f("ck_exemption_request_status")),
        sa.CheckConstraint("quantity_kg > 0", name=op.f("ck_exemption_request_quantity")),
        sa.CheckConstraint("valid_from <= valid_to", name=op.f("ck_exemption_request_validity")),
        sa.CheckConstraint("(status = 'granted') = (exemption_id IS NOT NULL)", name=op.f("ck_exemption_request_granted")),
        sa.ForeignKeyConstraint(
            ["generator_org_id"], ["organisation.id"], name=op.f("fk_exemption_request_generator_org_id_organisation")
        ),
        sa.ForeignKeyConstraint(["generator_site_id"], ["site.id"], name=op.f("fk_exemption_request_generator_site_id_site")),
        sa.ForeignKeyConstraint(["receiver_site_id"], ["site.id"], name=op.f("fk_exemption_request_receiver_site_id_site")),
        sa.ForeignKeyConstraint(["requested_by"], ["app_user.id"], name=op.f("fk_exemption_request_requested_by_app_user")),
        sa.ForeignKeyConstraint(["decided_by"], ["app_user.id"], name=op.f("fk_exemption_request_decided_by_app_user")),
        sa.ForeignKeyConstraint(["exemption_id"], ["exemption.id"], name=op.f("fk_exemption_request_exemption_id_exemption")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exemption_request")),
    )
    op.create_index(op.f("ix_exemption_request_generator_org_id"), "exemption_request", ["generator_org_id"])
    op.create_index("ix_exemption_request_pending", "exemption_request", ["created_at"], postgresql_where=sa.text("status = 'pending'"))


def downgrade() -> None:
    op.drop_index("ix_exemption_request_pending", table_name="exemption_request")
    op.drop_index(op.f("ix_exemption_request_generator_org_id"), table_name="exemption_request")
    op.drop_table("exemption_request")
