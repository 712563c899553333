"""Append-only triggers fire always, also in replica mode (issue #10 item 4).

``SET session_replication_role = replica`` skipped the triggers that keep evidence append-only;
``ENABLE ALWAYS`` makes them fire whatever the session's replication role. The application role's
privileges are granted after every migration by ``migrations/env.py`` (waste_tracker/privileges.py).

Revision ID: 0010_least_privilege
Revises: 0007_event_counties
"""

from __future__ import annotations

from alembic import op

revision = "0010_least_privilege"
down_revision = "0007_event_counties"
branch_labels = None
depends_on = None

TRIGGERS = (
    ("manifest_event", "manifest_event_no_update_delete"),
    ("manifest_event", "manifest_event_no_truncate"),
    ("anchor", "anchor_no_update_delete"),
    ("anchor", "anchor_no_truncate"),
    ("organisation_identity", "organisation_identity_no_update_delete"),
    ("organisation_identity", "organisation_identity_no_truncate"),
)


def upgrade() -> None:
    for table, trigger in TRIGGERS:
        op.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {trigger}")


def downgrade() -> None:
    for table, trigger in TRIGGERS:
        op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
