"""Accounts (issue #10 item 9): canonical usernames, sessions that end, two-step verification.

- ``app_user.username_key``: the username as compared (NFKC, case-folded), unique. Backfilled
  from the existing usernames; two accounts that differ only by case or compatibility form stop
  the migration (an operator must rename one first).
- ``app_user.tokens_valid_after``: a password change ends every session issued before it;
  ``revoked_token``: one session ended by log-out, until its token would have expired.
- ``app_user.totp_*`` and ``recovery_code``: TOTP (RFC 6238) with one-time recovery codes.
- ``login_failure``: one index for the per-account-and-address limit.

Revision ID: 0012_accounts
Revises: 0011_one_scheduler
Create Date: 2026-12-03
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_accounts"
down_revision: str | None = "0011_one_scheduler"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key(username: str) -> str:
    # Frozen here (a migration must not change when the code does).
    return unicodedata.normalize("NFKC", username).casefold()[:64]


def upgrade() -> None:
    op.add_column("app_user", sa.Column("username_key", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    seen: dict[str, str] = {}
    for user_id, username in conn.execute(sa.text("SELECT id, username FROM app_user ORDER BY created_at, id")).all():
        key = _key(username)
        if key in seen:
            raise RuntimeError(
                f"usernames {seen[key]!r} and {username!r} are the same once case and width are ignored: rename one first"
            )
        seen[key] = username
        conn.execute(sa.text("UPDATE app_user SET username_key = :k WHERE id = :i"), {"k": key, "i": user_id})
    op.alter_column("app_user", "username_key", nullable=False)
    op.create_unique_constraint(op.f("uq_app_user_username_key"), "app_user", ["username_key"])
    op.add_column("app_user", sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("app_user", sa.Column("tokens_valid_after", sa.DateTime(timezone=True), nullable=True))
    op.add_column("app_user", sa.Column("totp_secret", sa.String(length=64), nullable=True))
    op.add_column("app_user", sa.Column("totp_pending_secret", sa.String(length=64), nullable=True))
    op.add_column("app_user", sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("app_user", sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    op.create_table(
        "revoked_token",
        sa.Column("jti", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_revoked_token_user_id_app_user")),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_revoked_token")),
    )
    op.create_index(op.f("ix_revoked_token_user_id"), "revoked_token", ["user_id"], unique=False)
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_recovery_code_user_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
    )
    op.create_index(op.f("ix_recovery_code_user_id"), "recovery_code", ["user_id"], unique=False)
    op.create_index("ix_login_failure_pair", "login_failure", ["username", "address", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_login_failure_pair", table_name="login_failure")
    op.drop_index(op.f("ix_recovery_code_user_id"), table_name="recovery_code")
    op.drop_table("recovery_code")
    op.drop_index(op.f("ix_revoked_token_user_id"), table_name="revoked_token")
    op.drop_table("revoked_token")
    for c in ("totp_last_step", "totp_enabled_at", "totp_pending_secret", "totp_secret", "tokens_valid_after", "password_changed_at"):
        op.drop_column("app_user", c)
    op.drop_constraint(op.f("uq_app_user_username_key"), "app_user", type_="unique")
    op.drop_column("app_user", "username_key")
