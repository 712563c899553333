"""Least privilege in the database: an owner that runs migrations, an application role that does not.

The service connects as the application role: not a superuser, owner of nothing, and without
``UPDATE``, ``DELETE`` or ``TRUNCATE`` on the append-only tables, so neither a bug nor a stolen
application password can rewrite evidence (and only a superuser may set
``session_replication_role``; the append-only triggers are ``ENABLE ALWAYS`` so even that does
not bypass them). The owner (a separate, non-superuser login kept for migrations) owns the schema.

``grant_statements`` is run after every migration (``migrations/env.py``), so a new table gets
the application's privileges in the same transaction that creates it.
"""

from __future__ import annotations

# Evidence: rows are written once and never changed (each also has an append-only trigger).
APPEND_ONLY_TABLES = (
    "manifest_event",
    "anchor",
    "organisation_identity",
    "management_plan_event",
    "ledger_event",
    "declaration",
    "receiver_balance",
    "track_point",
    "weighbridge_ticket",
    "ticket_photo",
    "contract",
    "contract_termination",
    "contract_file",
    "payment",
    "payment_manifest",
    "invoice",
    "invoice_manifest",
    # audit sampling (migration 0026): the draw, its closure, assignments, the read log, findings
    "audit_sample",
    "audit_sample_unit",
    "audit_sample_closure",
    "audit_assignment",
    "audit_read",
    "audit_finding",
    "audit_attachment",
)
# Append-only tables partitioned by time: their partitions are evidence too (track_point_y2026m12,
# track_point_default). Partitions made later by track_point_ensure_partitions() belong to the
# owner and grant the application nothing: it reaches them through the parent only.
PARTITIONED = ("track_point",)


def is_append_only(table: str) -> bool:
    if table in APPEND_ONLY_TABLES:
        return True
    return any(table.startswith(p + "_y") or table == p + "_default" for p in PARTITIONED)


# The application reads these but never writes them.
READ_ONLY_TABLES = ("alembic_version",)


def _ident(role: str) -> str:
    if not role.replace("_", "").isalnum():
        raise ValueError(f"unsafe role name: {role!r}")
    return f'"{role}"'


def grant_statements(app_role: str, existing_tables: set[str]) -> list[str]:
    """The statements that give ``app_role`` exactly what the service needs on ``public``."""
    r = _ident(app_role)
    out = [
        f"GRANT USAGE ON SCHEMA public TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}",
    ]
    for t in sorted(existing_tables):
        if is_append_only(t):
            out.append(f'REVOKE UPDATE, DELETE, TRUNCATE ON "{t}" FROM {r}')
    for t in READ_ONLY_TABLES:
        if t in existing_tables:
            out.append(f'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "{t}" FROM {r}')
    return out
