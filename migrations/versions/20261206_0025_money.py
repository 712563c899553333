"""The money (issue #15): contracts (with their terminations and scanned files), payments, invoices
and the manifests each pays for or bills. All append-only evidence: corrections are new rows that
name what they supersede.

Revision ID: 0025_money
Revises: 0024_planned_crew
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0025_money"
down_revision: str | None = "0024_planned_crew"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("contract", "contract_termination", "contract_file", "payment", "payment_manifest", "invoice", "invoice_manifest")


def upgrade() -> None:
    op.create_table(
        "contract",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("number", sa.Text(), server_default="", nullable=False),
        sa.Column("generator_org_id", sa.Uuid(), nullable=False),
        sa.Column("counterparty_org_id", sa.Uuid(), nullable=False),
        sa.Column("waste_codes", postgresql.ARRAY(sa.String(length=16)), server_default="{}", nullable=False),
        sa.Column("waste_categories", postgresql.ARRAY(sa.String(length=8)), server_default="{}", nullable=False),
        sa.Column("price_per_tonne", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("transport_terms", sa.String(length=24), server_default="generator_pays_carrier", nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("kind IN ('disposal', 'transport')", name=op.f("ck_contract_kind")),
        sa.CheckConstraint(
            "transport_terms IN ('generator_pays_carrier', 'receiver_arranges', 'included')",
            name=op.f("ck_contract_transport_terms"),
        ),
        sa.CheckConstraint("valid_from <= valid_to", name=op.f("ck_contract_validity")),
        sa.CheckConstraint("price_per_tonne IS NULL OR price_per_tonne >= 0", name=op.f("ck_contract_price")),
        sa.CheckConstraint("cardinality(waste_codes) + cardinality(waste_categories) > 0", name=op.f("ck_contract_covers")),
        sa.CheckConstraint("generator_org_id <> counterparty_org_id", name=op.f("ck_contract_parties")),
        sa.ForeignKeyConstraint(
            ["generator_org_id"], ["organisation.id"], name=op.f("fk_contract_generator_org_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["counterparty_org_id"], ["organisation.id"], name=op.f("fk_contract_counterparty_org_id_organisation")
        ),
        sa.ForeignKeyConstraint(["supersedes_id"], ["contract.id"], name=op.f("fk_contract_supersedes_id_contract")),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_contract_created_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_contract_supersedes_id")),
    )
    op.create_index(op.f("ix_contract_generator_org_id"), "contract", ["generator_org_id"])
    op.create_index(op.f("ix_contract_counterparty_org_id"), "contract", ["counterparty_org_id"])

    op.create_table(
        "contract_termination",
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("terminated_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name=op.f("fk_contract_termination_contract_id_contract")),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_contract_termination_created_by_app_user")),
        sa.PrimaryKeyConstraint("contract_id", name=op.f("pk_contract_termination")),
    )

    op.create_table(
        "contract_file",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.Text(), server_default="", nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "media_type IN ('application/pdf', 'image/jpeg', 'image/png')", name=op.f("ck_contract_file_media_type")
        ),
        sa.CheckConstraint("size = octet_length(content)", name=op.f("ck_contract_file_size")),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name=op.f("fk_contract_file_contract_id_contract")),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_contract_file_created_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_file")),
    )
    op.create_index(op.f("ix_contract_file_contract_id"), "contract_file", ["contract_id"])

    op.create_table(
        "payment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("payer_org_id", sa.Uuid(), nullable=False),
        sa.Column("payee_kind", sa.String(length=16), nullable=False),
        sa.Column("payee_org_id", sa.Uuid(), nullable=True),
        sa.Column("payee_uscc", sa.String(length=18), nullable=True),
        sa.Column("payee_name", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("purpose", sa.String(length=16), server_default="disposal", nullable=False),
        sa.Column("invoice_number", sa.Text(), server_default="", nullable=False),
        sa.Column("bank_reference", sa.Text(), server_default="", nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=True),
        sa.Column("quantity_kg", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("source", sa.String(length=16), server_default="entered", nullable=False),
        sa.Column("import_batch", sa.Uuid(), nullable=True),
        sa.Column("import_row", sa.Integer(), nullable=True),
        sa.Column("recorded_by_org_id", sa.Uuid(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("payee_kind IN ('organisation', 'person')", name=op.f("ck_payment_payee_kind")),
        sa.CheckConstraint("(payee_kind = 'organisation') = (payee_uscc IS NOT NULL)", name=op.f("ck_payment_payee_uscc")),
        sa.CheckConstraint("payee_kind = 'organisation' OR payee_org_id IS NULL", name=op.f("ck_payment_payee_person")),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payment_amount")),
        sa.CheckConstraint("quantity_kg IS NULL OR quantity_kg > 0", name=op.f("ck_payment_quantity")),
        sa.CheckConstraint("purpose IN ('disposal', 'transport', 'other')", name=op.f("ck_payment_purpose")),
        sa.CheckConstraint("source IN ('entered', 'import')", name=op.f("ck_payment_source")),
        sa.ForeignKeyConstraint(["payer_org_id"], ["organisation.id"], name=op.f("fk_payment_payer_org_id_organisation")),
        sa.ForeignKeyConstraint(["payee_org_id"], ["organisation.id"], name=op.f("fk_payment_payee_org_id_organisation")),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name=op.f("fk_payment_contract_id_contract")),
        sa.ForeignKeyConstraint(
            ["recorded_by_org_id"], ["organisation.id"], name=op.f("fk_payment_recorded_by_org_id_organisation")
        ),
        sa.ForeignKeyConstraint(["supersedes_id"], ["payment.id"], name=op.f("fk_payment_supersedes_id_payment")),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_payment_created_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_payment_supersedes_id")),
    )
    op.create_index(op.f("ix_payment_payer_org_id"), "payment", ["payer_org_id"])
    op.create_index(op.f("ix_payment_payee_org_id"), "payment", ["payee_org_id"])
    op.create_index(op.f("ix_payment_contract_id"), "payment", ["contract_id"])

    op.create_table(
        "payment_manifest",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("manifest_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["payment_id"], ["payment.id"], name=op.f("fk_payment_manifest_payment_id_payment")),
        sa.ForeignKeyConstraint(["manifest_id"], ["manifest.id"], name=op.f("fk_payment_manifest_manifest_id_manifest")),
        sa.PrimaryKeyConstraint("payment_id", "manifest_id", name=op.f("pk_payment_manifest")),
    )
    op.create_index(op.f("ix_payment_manifest_manifest_id"), "payment_manifest", ["manifest_id"])

    op.create_table(
        "invoice",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("issuer_org_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_org_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("quantity_kg", sa.Numeric(precision=14, scale=3), nullable=True),
        sa.Column("contract_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_invoice_amount")),
        sa.CheckConstraint("quantity_kg IS NULL OR quantity_kg > 0", name=op.f("ck_invoice_quantity")),
        sa.ForeignKeyConstraint(["issuer_org_id"], ["organisation.id"], name=op.f("fk_invoice_issuer_org_id_organisation")),
        sa.ForeignKeyConstraint(["buyer_org_id"], ["organisation.id"], name=op.f("fk_invoice_buyer_org_id_organisation")),
        sa.ForeignKeyConstraint(["contract_id"], ["contract.id"], name=op.f("fk_invoice_contract_id_contract")),
        sa.ForeignKeyConstraint(["supersedes_id"], ["invoice.id"], name=op.f("fk_invoice_supersedes_id_invoice")),
        sa.ForeignKeyConstraint(["created_by"], ["app_user.id"], name=op.f("fk_invoice_created_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice")),
        sa.UniqueConstraint("issuer_org_id", "number", name="uq_invoice_issuer_org_id"),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_invoice_supersedes_id")),
    )
    op.create_index(op.f("ix_invoice_buyer_org_id"), "invoice", ["buyer_org_id"])

    op.create_table(
        "invoice_manifest",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("manifest_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"], name=op.f("fk_invoice_manifest_invoice_id_invoice")),
        sa.ForeignKeyConstraint(["manifest_id"], ["manifest.id"], name=op.f("fk_invoice_manifest_manifest_id_manifest")),
        sa.PrimaryKeyConstraint("invoice_id", "manifest_id", name=op.f("pk_invoice_manifest")),
    )
    op.create_index(op.f("ix_invoice_manifest_manifest_id"), "invoice_manifest", ["manifest_id"])

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
    for t in ("invoice_manifest", "invoice", "payment_manifest", "payment", "contract_file", "contract_termination", "contract"):
        op.drop_table(t)
