"""The cradle (issue #12): management plans, the container ledger, declarations, receivers'
monthly balances.

Evidence tables get the append-only trigger (ENABLE ALWAYS, as in 0010): plan events, ledger
events, declarations, receiver balances. ``management_plan`` and ``waste_container`` are
projections of their events.

Revision ID: 0013_cradle
Revises: 0012_accounts
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013_cradle"
down_revision: str | None = "0012_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("management_plan_event", "ledger_event", "declaration", "receiver_balance")


def _tz(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _created() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False)


def _fk(table: str, col: str, ref: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([col], [f"{ref}.id"], name=op.f(f"fk_{table}_{col}_{ref}"))


def upgrade() -> None:
    op.create_table(
        "management_plan",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("county_adcode", sa.Integer(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("catalogue_edition", sa.String(length=16), nullable=False),
        sa.Column("management_class", sa.String(length=16), nullable=True),
        sa.Column("class_basis", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("accepted_version", sa.Integer(), nullable=True),
        sa.Column("accepted_body", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("filing_number", sa.String(length=32), nullable=True),
        _tz("submitted_at"),
        _tz("accepted_at"),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        _created(),
        _tz("updated_at"),
        sa.CheckConstraint("kind IN ('hazardous', 'general')", name=op.f("ck_management_plan_kind")),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'accepted', 'returned')", name=op.f("ck_management_plan_status")
        ),
        sa.CheckConstraint(
            "management_class IN ('key', 'simplified', 'registered')", name=op.f("ck_management_plan_management_class")
        ),
        _fk("management_plan", "site_id", "site"),
        _fk("management_plan", "organisation_id", "organisation"),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_management_plan_created_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_management_plan")),
        sa.UniqueConstraint("filing_number", name=op.f("uq_management_plan_filing_number")),
        sa.UniqueConstraint("site_id", "year", "kind", name="uq_management_plan_site_year_kind"),
    )
    op.create_index("ix_management_plan_county_status", "management_plan", ["county_adcode", "status"])
    op.create_index(op.f("ix_management_plan_organisation_id"), "management_plan", ["organisation_id"])
    op.create_table(
        "management_plan_event",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("actor_user_id", sa.Uuid(), nullable=False),
        sa.Column("actor_org_id", sa.Uuid(), nullable=True),
        _tz("at", nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["management_plan.id"], name=op.f("fk_management_plan_event_plan_id_management_plan")),
        sa.ForeignKeyConstraint(["actor_user_id"], ["app_user.id"], name=op.f("fk_management_plan_event_actor_user_id_app_user")),
        sa.ForeignKeyConstraint(
            ["actor_org_id"], ["organisation.id"], name=op.f("fk_management_plan_event_actor_org_id_organisation")
        ),
        sa.PrimaryKeyConstraint("plan_id", "seq", name="pk_management_plan_event"),
    )
    op.create_table(
        "plan_serial",
        sa.Column("county_adcode", sa.Integer(), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("county_adcode", "year", name="pk_plan_serial"),
    )
    op.create_table(
        "waste_container",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("identification_code", sa.String(length=37), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("county_adcode", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("catalogue_edition", sa.String(length=16), nullable=False),
        sa.Column("waste_code", sa.String(length=16), nullable=False),
        sa.Column("category_code", sa.String(length=8), nullable=False),
        sa.Column("waste_name", sa.Text(), nullable=False),
        sa.Column("main_components", sa.Text(), server_default="", nullable=False),
        sa.Column("physical_form", sa.String(length=16), nullable=False),
        sa.Column("hazard_characteristics", postgresql.ARRAY(sa.String(length=4)), server_default="{}", nullable=False),
        sa.Column("container_type", sa.Text(), nullable=False),
        sa.Column("volume_l", sa.Numeric(precision=10, scale=1), nullable=True),
        sa.Column("is_batch", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("gross_kg", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("net_kg", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("generated_on", sa.Date(), nullable=False),
        sa.Column("storage_facility", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _tz("stored_at", nullable=False),
        _tz("out_at"),
        sa.Column("manifest_id", sa.Uuid(), nullable=True),
        sa.Column("manifest_line_no", sa.SmallInteger(), nullable=True),
        sa.Column("handled_method_code", sa.String(length=8), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        _created(),
        _tz("updated_at"),
        sa.CheckConstraint("kind IN ('hazardous', 'general')", name=op.f("ck_waste_container_kind")),
        sa.CheckConstraint(
            "status IN ('in_storage', 'on_manifest', 'shipped', 'handled_on_site')", name=op.f("ck_waste_container_status")
        ),
        sa.CheckConstraint("net_kg > 0 AND gross_kg >= net_kg", name=op.f("ck_waste_container_weights")),
        _fk("waste_container", "site_id", "site"),
        _fk("waste_container", "organisation_id", "organisation"),
        _fk("waste_container", "manifest_id", "manifest"),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_waste_container_created_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waste_container")),
        sa.UniqueConstraint("identification_code", name=op.f("uq_waste_container_identification_code")),
    )
    op.create_index(op.f("ix_waste_container_organisation_id"), "waste_container", ["organisation_id"])
    op.create_index("ix_waste_container_site_status", "waste_container", ["site_id", "status"])
    op.create_index("ix_waste_container_site_code_day", "waste_container", ["site_id", "waste_code", "generated_on"])
    op.create_index(
        "ix_waste_container_manifest", "waste_container", ["manifest_id"], postgresql_where=sa.text("manifest_id IS NOT NULL")
    )
    op.create_index(
        "ix_waste_container_county_stored",
        "waste_container",
        ["county_adcode", "stored_at"],
        postgresql_where=sa.text("status = 'in_storage'"),
    )
    op.create_table(
        "ledger_event",
        sa.Column("container_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("actor_org_id", sa.Uuid(), nullable=True),
        _tz("server_time", nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_ledger_event_seq_positive")),
        sa.ForeignKeyConstraint(["container_id"], ["waste_container.id"], name=op.f("fk_ledger_event_container_id_waste_container")),
        sa.ForeignKeyConstraint(["actor_user_id"], ["app_user.id"], name=op.f("fk_ledger_event_actor_user_id_app_user")),
        sa.ForeignKeyConstraint(["actor_org_id"], ["organisation.id"], name=op.f("fk_ledger_event_actor_org_id_organisation")),
        sa.PrimaryKeyConstraint("container_id", "seq", name="pk_ledger_event"),
    )
    op.create_index("ix_ledger_event_server_time", "ledger_event", ["server_time"])
    op.create_table(
        "container_serial",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("waste_code", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_serial", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_container_serial_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("organisation_id", "waste_code", "day", name="pk_container_serial"),
    )
    op.create_table(
        "declaration",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("county_adcode", sa.Integer(), nullable=False),
        sa.Column("period_kind", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("submitted_by", sa.Uuid(), nullable=False),
        _tz("submitted_at", nullable=False),
        sa.CheckConstraint("period_kind IN ('month', 'quarter', 'year')", name=op.f("ck_declaration_period_kind")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_declaration_version_positive")),
        _fk("declaration", "site_id", "site"),
        _fk("declaration", "organisation_id", "organisation"),
        sa.ForeignKeyConstraint(["submitted_by"], ["app_user.id"], name=op.f("fk_declaration_submitted_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declaration")),
        sa.UniqueConstraint("site_id", "period_kind", "period_start", "version", name="uq_declaration_version"),
    )
    op.create_index(op.f("ix_declaration_organisation_id"), "declaration", ["organisation_id"])
    op.create_index("ix_declaration_county_period", "declaration", ["county_adcode", "period_kind", "period_start"])
    op.create_table(
        "receiver_balance",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("county_adcode", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("utilised_kg", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("disposed_kg", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("stored_end_kg", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        _tz("recorded_at", nullable=False),
        sa.CheckConstraint(
            "utilised_kg >= 0 AND disposed_kg >= 0 AND stored_end_kg >= 0", name=op.f("ck_receiver_balance_non_negative")
        ),
        sa.CheckConstraint("extract(day FROM month) = 1", name=op.f("ck_receiver_balance_month_start")),
        _fk("receiver_balance", "site_id", "site"),
        _fk("receiver_balance", "organisation_id", "organisation"),
        sa.ForeignKeyConstraint(["recorded_by"], ["app_user.id"], name=op.f("fk_receiver_balance_recorded_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receiver_balance")),
        sa.UniqueConstraint("site_id", "month", "version", name="uq_receiver_balance_version"),
    )
    op.execute("""
        CREATE FUNCTION cradle_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege', HINT = 'record a correcting event or a new version instead';
        END $$
    """)
    for t in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {t}_no_update_delete BEFORE UPDATE OR DELETE ON {t} "
            "FOR EACH ROW EXECUTE FUNCTION cradle_append_only()"
        )
        op.execute(f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} FOR EACH STATEMENT EXECUTE FUNCTION cradle_append_only()")
        op.execute(f"ALTER TABLE {t} ENABLE ALWAYS TRIGGER {t}_no_update_delete")
        op.execute(f"ALTER TABLE {t} ENABLE ALWAYS TRIGGER {t}_no_truncate")


def downgrade() -> None:
    for t in APPEND_ONLY:
        op.execute(f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}")
        op.execute(f"DROP TRIGGER IF EXISTS {t}_no_update_delete ON {t}")
    op.execute("DROP FUNCTION IF EXISTS cradle_append_only()")
    for t in ("receiver_balance", "declaration", "container_serial", "ledger_event", "waste_container"):
        op.drop_table(t)
    op.drop_table("plan_serial")
    op.drop_table("management_plan_event")
    op.drop_table("management_plan")
