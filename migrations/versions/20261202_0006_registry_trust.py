"""Registry trust: legal identity history, revocable transport permits, exemptions bound to a site.

Revision ID: 0006_registry_trust
Revises: 0005_flow_rollup
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_registry_trust"
down_revision: str | None = "0005_flow_rollup"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "organisation_identity",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("changed_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["changed_by"], ["app_user.id"], name="fk_organisation_identity_changed_by_app_user"),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name="fk_organisation_identity_organisation_id_organisation"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_organisation_identity"),
    )
    op.create_index(
        "ix_organisation_identity_organisation_id", "organisation_identity", ["organisation_id"], unique=False
    )
    # Every organisation's identity as it stands today is its first history row.
    op.execute(
        "INSERT INTO organisation_identity (id, organisation_id, name, uscc, reason, created_at) "
        "SELECT gen_random_uuid(), id, name, uscc, 'registered', created_at FROM organisation"
    )
    op.execute(
        """
        CREATE FUNCTION organisation_identity_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'organisation_identity is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER organisation_identity_no_update_delete BEFORE UPDATE OR DELETE ON organisation_identity "
        "FOR EACH ROW EXECUTE FUNCTION organisation_identity_append_only()"
    )
    op.execute(
        "CREATE TRIGGER organisation_identity_no_truncate BEFORE TRUNCATE ON organisation_identity "
        "FOR EACH STATEMENT EXECUTE FUNCTION organisation_identity_append_only()"
    )

    op.add_column("transport_permit", sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("transport_permit", sa.Column("revoked_by", sa.Uuid(), nullable=True))
    op.add_column("transport_permit", sa.Column("revoke_reason", sa.Text(), nullable=True))
    op.create_foreign_key(
        "fk_transport_permit_revoked_by_app_user", "transport_permit", "app_user", ["revoked_by"], ["id"]
    )

    op.add_column("exemption", sa.Column("generator_site_id", sa.Uuid(), nullable=True))
    op.create_foreign_key("fk_exemption_generator_site_id_site", "exemption", "site", ["generator_site_id"], ["id"])
    op.create_index("ix_exemption_generator_site_id", "exemption", ["generator_site_id"], unique=False)
    # A grant names the site the waste leaves; an organisation with one site leaves no doubt. Grants
    # of organisations with several sites stay unbound: they cover nothing until granted again.
    op.execute(
        """UPDATE exemption e SET generator_site_id = s.id
           FROM (SELECT organisation_id, min(id::text)::uuid AS id FROM site GROUP BY organisation_id
                 HAVING count(*) = 1) s
           WHERE s.organisation_id = e.generator_org_id"""
    )


def downgrade() -> None:
    op.drop_index("ix_exemption_generator_site_id", table_name="exemption")
    op.drop_constraint("fk_exemption_generator_site_id_site", "exemption", type_="foreignkey")
    op.drop_column("exemption", "generator_site_id")
    op.drop_constraint("fk_transport_permit_revoked_by_app_user", "transport_permit", type_="foreignkey")
    op.drop_column("transport_permit", "revoke_reason")
    op.drop_column("transport_permit", "revoked_by")
    op.drop_column("transport_permit", "revoked_at")
    op.execute("DROP TRIGGER IF EXISTS organisation_identity_no_truncate ON organisation_identity")
    op.execute("DROP TRIGGER IF EXISTS organisation_identity_no_update_delete ON organisation_identity")
    op.execute("DROP FUNCTION IF EXISTS organisation_identity_append_only()")
    op.drop_index("ix_organisation_identity_organisation_id", table_name="organisation_identity")
    op.drop_table("organisation_identity")
