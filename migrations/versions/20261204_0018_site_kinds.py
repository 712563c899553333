"""Site kinds (issue #13): facility, parking, transit, collection. A truck may stand at a
parking, transit or collection site on its way; elsewhere, away from the load's own generator
and receiver, a long stop is ``stop_away_from_site``. Existing sites of organisations that only
carry become ``parking`` (their yards); every other site stays a ``facility``.

Revision ID: 0018_site_kinds
Revises: 0017_weighbridge_tickets
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_site_kinds"
down_revision: str | None = "0017_weighbridge_tickets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("site", sa.Column("kind", sa.String(length=16), server_default="facility", nullable=False))
    op.create_check_constraint(op.f("ck_site_kind"), "site", "kind IN ('facility', 'parking', 'transit', 'collection')")
    op.execute(
        "UPDATE site s SET kind = 'parking' FROM organisation o "
        "WHERE o.id = s.organisation_id AND o.roles = ARRAY['carrier']::varchar[]"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_site_kind"), "site", type_="check")
    op.drop_column("site", "kind")
