"""Least privilege in the database (issue #10 item 4): the service connects as a role that is not a
superuser, owns no table and cannot change evidence — not even by switching to replica mode, which
used to skip the append-only triggers. Real logins on the project's own cluster."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import DatabaseRoles
from waste_tracker import localdb
from waste_tracker.config import Settings
from waste_tracker.db import database_url, owner_database_url
from waste_tracker.privileges import APPEND_ONLY_TABLES, is_append_only

EVIDENCE = (
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
    "audit_sample",
    "audit_sample_unit",
    "audit_sample_closure",
    "audit_assignment",
    "audit_read",
    "audit_finding",
    "audit_attachment",
)
# A column of each, for the UPDATE probe.
COLUMN = {
    "audit_sample_unit": "name",
    "manifest_event": "type",
    "management_plan_event": "at",
    "ledger_event": "server_time",
    "declaration": "submitted_at",
    "receiver_balance": "recorded_at",
    "track_point": "lon",
    "weighbridge_ticket": "plate",
    "ticket_photo": "media_type",
    "payment_manifest": "manifest_id",
    "invoice_manifest": "manifest_id",
}


def _connect(url: str) -> psycopg.Connection:
    return psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True)


@pytest.fixture
def roles(test_db: DatabaseRoles, engine) -> DatabaseRoles:  # type: ignore[no-untyped-def]
    if test_db.app == test_db.admin:
        pytest.skip("TEST_DATABASE_URL gives one role; the embedded cluster has the three")
    return test_db


def test_the_application_role_is_not_the_owner_nor_a_superuser(roles: DatabaseRoles) -> None:
    with _connect(roles.app) as conn:
        me, superuser = conn.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()  # type: ignore[misc]
        assert me == localdb.APP_ROLE and superuser is False
        owned = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"
        ).fetchone()
        assert owned == (0,)
        owners = {r[0] for r in conn.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")}
        assert owners <= {localdb.OWNER_ROLE, localdb.SUPERUSER}  # spatial_ref_sys stays PostGIS's
        assert conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (localdb.OWNER_ROLE,)).fetchone() == (False,)


@pytest.mark.parametrize("table", EVIDENCE)
@pytest.mark.parametrize("statement", ["UPDATE {t} SET {c} = {c}", "DELETE FROM {t}", "TRUNCATE {t}"])
def test_the_application_role_cannot_alter_evidence(roles: DatabaseRoles, table: str, statement: str) -> None:
    sql = statement.format(t=table, c=COLUMN.get(table, "created_at"))
    with _connect(roles.app) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(sql)
        # Replica mode, which skipped the triggers, is not the application's to set.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SET session_replication_role = replica")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")


def test_even_a_superuser_in_replica_mode_meets_the_triggers(roles: DatabaseRoles) -> None:
    with _connect(roles.admin) as conn:
        conn.execute("SET session_replication_role = replica")
        for table in EVIDENCE:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(f"TRUNCATE {table} CASCADE")  # a statement trigger: fires on an empty table too
        states = dict(
            conn.execute(
                """SELECT t.tgname, t.tgenabled::text FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
                   WHERE p.proname LIKE '%%append_only'"""
            ).fetchall()
        )
    assert len(states) == 2 * len(EVIDENCE) and set(states.values()) == {"A"}, states


def test_every_append_only_table_is_withheld_from_the_application(roles: DatabaseRoles) -> None:
    with _connect(roles.admin) as conn:
        guarded = {
            r[0]
            for r in conn.execute(
                """SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
                   JOIN pg_class c ON c.oid = t.tgrelid WHERE p.proname LIKE '%%append_only'"""
            )
        }
        assert {t for t in guarded if t in APPEND_ONLY_TABLES} == set(APPEND_ONLY_TABLES)
        assert all(is_append_only(t) for t in guarded), guarded  # the others: partitions of track_point
        rows = conn.execute(
            """SELECT tablename, has_table_privilege(%(r)s, 'public.' || quote_ident(tablename), 'UPDATE'),
                      has_table_privilege(%(r)s, 'public.' || quote_ident(tablename), 'TRUNCATE'),
                      has_table_privilege(%(r)s, 'public.' || quote_ident(tablename), 'INSERT')
               FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'""",
            {"r": localdb.APP_ROLE},
        ).fetchall()
    for table, update, truncate, insert in rows:
        assert not truncate, table
        assert update == (not is_append_only(table) and table != "alembic_version"), table
        assert insert == (table != "alembic_version"), table


def test_the_embedded_service_connects_as_the_application_role() -> None:
    s = Settings(database_url=None)
    assert make_url(database_url(s)).username == localdb.APP_ROLE
    assert make_url(owner_database_url(s)).username == localdb.OWNER_ROLE
    external = Settings(database_url="postgresql://app@db/wt", owner_database_url="postgresql://owner@db/wt")
    assert make_url(database_url(external)).username == "app"
    assert make_url(owner_database_url(external)).username == "owner"
