"""Third-party audit sampling (issue #15): samples with their frame and outcome, closures,
auditors' assignments, the auditors' read log, findings and their attachments — all append-only;
the auditor role on app_user.

Revision ID: 0026_audit
Revises: 0025_money
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0026_audit"
down_revision: str | None = "0025_money"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = (
    "audit_sample",
    "audit_sample_unit",
    "audit_sample_closure",
    "audit_assignment",
    "audit_read",
    "audit_finding",
    "audit_attachment",
)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    op.drop_constraint(op.f("ck_app_user_role"), "app_user", type_="check")
    op.create_check_constraint(
        op.f("ck_app_user_role"), "app_user", "role IN ('enterprise', 'driver', 'regulator', 'admin', 'auditor')"
    )
    op.create_table(
        "audit_sample",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("jurisdiction_adcode", sa.Integer(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column("rate", sa.Numeric(4, 3), nullable=False),
        sa.Column("band_small_t", sa.Numeric(12, 3), nullable=False),
        sa.Column("band_large_t", sa.Numeric(12, 3), nullable=False),
        sa.Column("strata", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("drawn_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("period_to >= period_from", name=op.f("ck_audit_sample_period")),
        sa.CheckConstraint("rate > 0 AND rate <= 1", name=op.f("ck_audit_sample_rate")),
        sa.CheckConstraint("band_small_t > 0 AND band_large_t > band_small_t", name=op.f("ck_audit_sample_bands")),
        sa.ForeignKeyConstraint(
            ["jurisdiction_adcode"], ["jurisdiction.adcode"], name=op.f("fk_audit_sample_jurisdiction_adcode_jurisdiction")
        ),
        _fk("audit_sample", "drawn_by", "app_user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_sample")),
    )
    op.create_table(
        "audit_sample_unit",
        sa.Column("sample_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("county_adcode", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(length=8), nullable=False),
        sa.Column("size_kg", sa.Numeric(14, 3), nullable=False),
        sa.Column("draw_key", sa.String(length=64), nullable=False),
        sa.Column("draw_rank", sa.SmallInteger(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("exclusion_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("outcome IN ('selected', 'not_selected', 'excluded')", name=op.f("ck_audit_sample_unit_outcome")),
        sa.CheckConstraint(
            "(outcome = 'excluded') = (exclusion_reason IS NOT NULL)", name=op.f("ck_audit_sample_unit_exclusion_reason")
        ),
        sa.CheckConstraint("band IN ('small', 'medium', 'large')", name=op.f("ck_audit_sample_unit_band")),
        _fk("audit_sample_unit", "sample_id", "audit_sample"),
        _fk("audit_sample_unit", "organisation_id", "organisation"),
        sa.PrimaryKeyConstraint("sample_id", "organisation_id", name="pk_audit_sample_unit"),
    )
    op.create_index(op.f("ix_audit_sample_unit_organisation_id"), "audit_sample_unit", ["organisation_id"])
    op.create_table(
        "audit_sample_closure",
        sa.Column("sample_id", sa.Uuid(), nullable=False),
        sa.Column("closed_by", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        _fk("audit_sample_closure", "sample_id", "audit_sample"),
        _fk("audit_sample_closure", "closed_by", "app_user"),
        sa.PrimaryKeyConstraint("sample_id", name=op.f("pk_audit_sample_closure")),
    )
    op.create_table(
        "audit_assignment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sample_id", sa.Uuid(), nullable=False),
        sa.Column("auditor_id", sa.Uuid(), nullable=False),
        sa.Column("firm", sa.Text(), server_default="", nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("valid_to > valid_from", name=op.f("ck_audit_assignment_validity")),
        _fk("audit_assignment", "sample_id", "audit_sample"),
        _fk("audit_assignment", "auditor_id", "app_user"),
        _fk("audit_assignment", "assigned_by", "app_user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_assignment")),
    )
    op.create_index(op.f("ix_audit_assignment_sample_id"), "audit_assignment", ["sample_id"])
    op.create_index(op.f("ix_audit_assignment_auditor_id"), "audit_assignment", ["auditor_id"])
    op.create_table(
        "audit_read",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("auditor_id", sa.Uuid(), nullable=False),
        sa.Column("sample_id", sa.Uuid(), nullable=True),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        _fk("audit_read", "auditor_id", "app_user"),
        _fk("audit_read", "sample_id", "audit_sample"),
        _fk("audit_read", "organisation_id", "organisation"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_read")),
    )
    op.create_index(op.f("ix_audit_read_auditor_id"), "audit_read", ["auditor_id"])
    op.create_index("ix_audit_read_sample_at", "audit_read", ["sample_id", "created_at"])
    op.create_table(
        "audit_finding",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sample_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("auditor_id", sa.Uuid(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("alert_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("severity IN ('critical', 'warning', 'info')", name=op.f("ck_audit_finding_severity")),
        _fk("audit_finding", "sample_id", "audit_sample"),
        _fk("audit_finding", "organisation_id", "organisation"),
        _fk("audit_finding", "auditor_id", "app_user"),
        _fk("audit_finding", "alert_id", "alert"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_finding")),
    )
    op.create_index(op.f("ix_audit_finding_sample_id"), "audit_finding", ["sample_id"])
    op.create_table(
        "audit_attachment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("finding_id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("size = octet_length(content)", name=op.f("ck_audit_attachment_size")),
        sa.CheckConstraint(
            "media_type IN ('application/pdf', 'image/jpeg', 'image/png', 'image/webp')",
            name=op.f("ck_audit_attachment_media_type"),
        ),
        _fk("audit_attachment", "finding_id", "audit_finding"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_attachment")),
    )
    op.create_index(op.f("ix_audit_attachment_finding_id"), "audit_attachment", ["finding_id"])
    for t in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {t}_no_update_delete BEFORE UPDATE OR DELETE ON {t} "
            "FOR EACH ROW EXECUTE FUNCTION cradle_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} FOR EACH STATEMENT EXECUTE FUNCTION cradle_append_only()"
        )
        op.execute(f"ALTER TABLE {t} ENABLE ALWAYS TRIGGER {t}_no_update_delete")
        op.execute(f"ALTER TABLE {t} ENABLE ALWAYS TRIGGER {t}_no_truncate")


def downgrade() -> None:
    for t in reversed(APPEND_ONLY):
        op.execute(f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}")
        op.execute(f"DROP TRIGGER IF EXISTS {t}_no_update_delete ON {t}")
        op.drop_table(t)
    op.execute("DELETE FROM app_user WHERE role = 'auditor'")
    op.drop_constraint(op.f("ck_app_user_role"), "app_user", type_="check")
    op.create_check_constraint(op.f("ck_app_user_role"), "app_user", "role IN ('enterprise', 'driver', 'regulator', 'admin')")
