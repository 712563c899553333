"""The ``waste-tracker`` command line."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from waste_tracker.config import get_settings

if TYPE_CHECKING:
    from waste_tracker.manifest.chain import Break


def _cmd_db(args: argparse.Namespace) -> int:
    from waste_tracker import localdb

    settings = get_settings()
    if settings.database_url and args.action != "status":
        print("DATABASE_URL is set: the embedded cluster is not used.", file=sys.stderr)
        return 0
    cluster = localdb.cluster_from_settings(settings)
    try:
        if args.action == "up":
            localdb.up(cluster)
        elif args.action == "down":
            print("stopped" if localdb.down(cluster) else "not running")
        else:
            running = localdb.status(cluster)
            print(f"embedded cluster {cluster.pgdata}: {'running' if running else 'stopped'} (port {cluster.port})")
            return 0 if running else 3
    except localdb.LocalDbError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


def _ensure_db() -> None:
    """Bring up the embedded cluster when no DATABASE_URL is configured."""
    settings = get_settings()
    if not settings.database_url:
        from waste_tracker import localdb

        localdb.up(localdb.cluster_from_settings(settings), quiet=True)


def _cmd_migrate(args: argparse.Namespace) -> int:
    from waste_tracker.migrate import upgrade

    _ensure_db()
    upgrade()
    print("migrations applied (head)")
    return 0


async def _import_jurisdictions(files: list[Path], datum: str) -> int:
    from waste_tracker.db import unit_of_work
    from waste_tracker.geo.boundaries import load_files
    from waste_tracker.registry.jurisdictions import upsert_boundaries

    boundaries = load_files(files, datum)
    async with unit_of_work() as session:
        n = await upsert_boundaries(session, boundaries, source=",".join(f.name for f in files))
    return n


async def _import_catalogue(files: list[Path], edition: str | None) -> list[tuple[str, int]]:
    from waste_tracker.db import unit_of_work
    from waste_tracker.registry.catalogue import import_file

    out = []
    async with unit_of_work() as session:
        for f in files:
            out.append(await import_file(session, f, edition))
    return out


def _cmd_import(args: argparse.Namespace) -> int:
    _ensure_db()
    files = [Path(f) for f in args.files]
    for f in files:
        if not f.exists():
            print(f"error: {f} does not exist", file=sys.stderr)
            return 2
    if args.what == "jurisdictions":
        n = asyncio.run(_import_jurisdictions(files, args.datum))
        print(f"{n} jurisdictions imported (datum {args.datum} -> WGS-84)")
    else:
        for kind, n in asyncio.run(_import_catalogue(files, args.edition)):
            print(f"{kind}: {n} rows")
    return 0


def _cmd_seed(args: argparse.Namespace) -> int:
    from waste_tracker.seed.demo import run_seed

    settings = get_settings()
    if settings.is_production:
        print("error: demo data is refused when WASTE_TRACKER_ENV=production", file=sys.stderr)
        return 2
    _ensure_db()
    summary = asyncio.run(run_seed())
    print(summary)
    return 0


async def _seed_rules() -> None:
    from waste_tracker.db import unit_of_work
    from waste_tracker.rules.settings import seed_rule_settings

    async with unit_of_work() as session:
        n = await seed_rule_settings(session)
    print(f"rule settings: {n} new rule(s) added")


def _cmd_bootstrap(args: argparse.Namespace) -> int:
    """Everything ``make run`` needs before serving: database, migrations, reference data, demo."""
    from waste_tracker.geo.boundaries import bundled_files
    from waste_tracker.migrate import upgrade
    from waste_tracker.registry.catalogue import bundled_catalogue_files

    _ensure_db()
    upgrade()
    print("migrations applied (head)")
    n = asyncio.run(_import_jurisdictions(bundled_files(), "gcj02"))
    print(f"{n} jurisdictions loaded")
    for kind, rows in asyncio.run(_import_catalogue(bundled_catalogue_files(), None)):
        print(f"catalogue {kind}: {rows} rows")
    asyncio.run(_seed_rules())
    if not args.no_demo and not get_settings().is_production:
        return _cmd_seed(args)
    return 0


def _break_line(b: Break) -> str:
    line = f"BROKEN manifest {b.manifest_id} at seq {b.seq}: {b.reason}"
    if b.field:
        line += f" {b.field}: stored {b.found!r}, events say {b.expected!r}"
    elif b.reason == "invalid_payload":
        line += f" ({b.found})"
    return line


async def _verify(ids: list[str], all_: bool, anchors_file: str | None = None) -> int:
    import uuid

    from waste_tracker.db import get_async_engine, session_factory
    from waste_tracker.manifest.verify import verify_all, verify_manifest

    engine = get_async_engine()
    try:
        if all_:
            from waste_tracker.ledger.queries import verify_ledger
            from waste_tracker.manifest.anchors import verify_anchors

            copy_line, copy_ok = None, True
            async with engine.connect() as conn:
                report = await verify_all(conn)
                anchors, anchor_breaks = await verify_anchors(conn)
                if anchors_file is not None:
                    copy_line, copy_ok = await _compare_copy(conn, anchors_file)
            async with session_factory(engine)() as session:
                containers, ledger_events, ledger_breaks = await verify_ledger(session)
            for lb in ledger_breaks:
                print(
                    f"BROKEN container {lb.manifest_id} at entry {lb.seq}: {lb.reason}" + (f" ({lb.field})" if lb.field else "")
                )
            for b in report.breaks:
                print(_break_line(b))
            for gap in report.serial_gaps:
                print(f"GAP serial {gap.number}: issued (prefecture {gap.prefecture}, {gap.year}) but on no submitted manifest")
            for a in anchor_breaks:
                print(
                    f"BROKEN anchor {a.day}: root {a.found_root} ({a.found_count} events) "
                    f"differs from the anchored {a.expected_root} ({a.expected_count} events)"
                )
            chains = "OK" if report.ok else f"{len(report.breaks)} break(s), {len(report.serial_gaps)} serial gap(s)"
            anchored = "OK" if not anchor_breaks else f"{len(anchor_breaks)} broken"
            print(f"verified {report.manifests} manifests, {report.events} events: {chains}; {anchors} anchors: {anchored}")
            ledger_state = "OK" if not ledger_breaks else f"{len(ledger_breaks)} break(s)"
            print(f"verified {containers} containers, {ledger_events} ledger entries: {ledger_state}")
            if copy_line:
                print(copy_line)
            return 0 if report.ok and not anchor_breaks and copy_ok and not ledger_breaks else 1
        bad = 0
        async with session_factory(engine)() as session:
            from sqlalchemy import text

            for raw in ids:
                try:
                    mid = uuid.UUID(raw)
                except ValueError:
                    print(f"error: {raw!r} is not a manifest id (UUID)", file=sys.stderr)
                    bad += 1
                    continue
                exists = (await session.execute(text("SELECT 1 FROM manifest WHERE id = :m"), {"m": mid})).first()
                if not exists:
                    print(f"error: manifest {raw} not found", file=sys.stderr)
                    bad += 1
                    continue
                check = await verify_manifest(session, mid)
                if check.breaks:
                    bad += 1
                    for b in check.breaks:
                        print(_break_line(b))
                else:
                    print(f"OK manifest {raw}: {check.events} events")
        return 1 if bad else 0
    finally:
        await engine.dispose()


async def _compare_copy(conn: object, file: str) -> tuple[str, bool]:
    """The line that says whether the database holds what a kept copy of the anchors says."""
    import json

    from waste_tracker.errors import Invalid
    from waste_tracker.manifest.anchors import compare_with_copy

    try:
        document = json.loads(Path(file).read_text(encoding="utf-8"))
        checked, diff = await compare_with_copy(conn, document)  # type: ignore[arg-type]
    except (OSError, ValueError, Invalid) as exc:
        return f"error: {file} is not a readable anchor copy: {exc}", False
    if diff is None:
        return f"anchor copy {file}: {checked} days, all match the database and its events", True
    return (
        f"DIFFERS from the copy {file} first on {diff.day}: {diff.reason} "
        f"(copy {diff.copy_root}, {diff.copy_count} events; anchored {diff.anchored_root}; "
        f"events now give {diff.events_root}, {diff.events_count} events)",
        False,
    )


def _cmd_verify(args: argparse.Namespace) -> int:
    if not args.all and not args.manifest:
        print("error: give manifest ids or --all", file=sys.stderr)
        return 2
    if args.anchors and not args.all:
        print("error: --anchors goes with --all", file=sys.stderr)
        return 2
    _ensure_db()
    return asyncio.run(_verify(args.manifest, args.all, args.anchors))


def _cmd_user(args: argparse.Namespace) -> int:
    """Create an account from the command line (the first admin of a production install)."""
    import getpass

    from waste_tracker.auth.service import create_user
    from waste_tracker.db import unit_of_work

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("password: ")

    async def run() -> None:
        async with unit_of_work() as session:
            await create_user(
                session,
                None,
                username=args.username,
                password=password,
                role=args.role,
                jurisdiction_adcode=args.jurisdiction,
                display_name=args.display_name or args.username,
            )

    _ensure_db()
    asyncio.run(run())
    print(f"user {args.username} ({args.role}) created")
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from waste_tracker.db import unit_of_work
    from waste_tracker.rules.sweep import run_sweep

    async def run() -> int:
        async with unit_of_work() as session:
            report = await run_sweep(session)
        if not report.ran:
            print("another sweep is running: skipped")
            return 0
        for rule, counts in report.rules.items():
            print(
                f"{rule:<26} found {counts['found']:>6}  opened {counts['opened']:>5}  auto-resolved {counts['auto_resolved']:>5}"
            )
        print(f"sweep done in {report.seconds:.2f} s")
        return 0

    _ensure_db()
    return asyncio.run(run())


def _cmd_holidays(args: argparse.Namespace) -> int:
    """Load holiday-calendar rows (day,name,is_workday) used for working-day deadlines."""
    import csv
    from datetime import date

    from sqlalchemy import text

    from waste_tracker.db import unit_of_work

    rows = []
    with open(args.file, encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            rows.append(
                {
                    "day": date.fromisoformat(r["day"]),
                    "name": r.get("name", ""),
                    "w": str(r.get("is_workday", "")).strip().lower() in ("1", "true", "yes", "y"),
                }
            )

    async def run() -> None:
        async with unit_of_work() as session:
            await session.execute(
                text(
                    "INSERT INTO holiday (day, name, is_workday) VALUES (:day, :name, :w) "
                    "ON CONFLICT (day) DO UPDATE SET name = EXCLUDED.name, is_workday = EXCLUDED.is_workday"
                ),
                rows,
            )

    _ensure_db()
    asyncio.run(run())
    print(f"{len(rows)} calendar days loaded")
    return 0


def _cmd_anchor(args: argparse.Namespace) -> int:
    from datetime import date

    from waste_tracker.db import unit_of_work
    from waste_tracker.manifest.anchors import anchor_day, unanchored_days

    if args.action == "export":
        return _anchor_export(args.file)

    async def run() -> int:
        async with unit_of_work() as session:
            days = [date.fromisoformat(args.day)] if args.day else await unanchored_days(session)
            for d in days:
                a = await anchor_day(session, d, note=args.note)
                print(f"anchored {a['day']}: {a['merkle_root']} ({a['event_count']} events)")
        if not days:
            print("nothing to anchor")
        return 0

    _ensure_db()
    return asyncio.run(run())


def _anchor_export(file: str | None) -> int:
    """Write the published anchors (the document of GET /public/anchors) to FILE, or stdout."""
    import json

    from waste_tracker import clock
    from waste_tracker.db import get_async_engine
    from waste_tracker.manifest.anchors import export_document, published

    async def run() -> dict[str, object]:
        engine = get_async_engine()
        try:
            async with engine.connect() as conn:
                return export_document(await published(conn), clock.now())
        finally:
            await engine.dispose()

    if not file:
        print("error: give the FILE to write (or - for standard output)", file=sys.stderr)
        return 2
    _ensure_db()
    doc = asyncio.run(run())
    text_ = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    if file == "-":
        sys.stdout.write(text_)
    else:
        Path(file).write_text(text_, encoding="utf-8")
        n = len(doc["anchors"])  # type: ignore[arg-type]
        print(f"{n} anchors written to {file}", file=sys.stderr)
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    from waste_tracker.backup import backup
    from waste_tracker.db import owner_database_url

    _ensure_db()
    path = backup(owner_database_url(), Path(args.file))
    print(f"backup written to {path} ({path.stat().st_size} bytes)")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from waste_tracker.backup import restore
    from waste_tracker.db import owner_database_url
    from waste_tracker.migrate import grant_after_restore

    _ensure_db()
    url = owner_database_url()
    restore(url, Path(args.file))
    grant_after_restore(url, get_settings().app_role)  # the dump carries no privileges
    print(f"restored {args.file}; run `waste-tracker verify --all` to check every chain and anchor")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    _ensure_db()
    uvicorn.run(
        "api.main:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="info",
        proxy_headers=False,  # the client's address is resolved by the app, from trusted_proxies only
        access_log=not args.quiet,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="waste-tracker", description="固废全过程追踪 waste-tracker")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("db", help="the embedded PostgreSQL+PostGIS cluster")
    p.add_argument("action", choices=["up", "down", "status"])
    p.set_defaults(func=_cmd_db)

    p = sub.add_parser("migrate", help="apply Alembic migrations up to head")
    p.set_defaults(func=_cmd_migrate)

    p = sub.add_parser("import", help="import reference data")
    p.add_argument("what", choices=["jurisdictions", "catalogue"])
    p.add_argument("files", nargs="+")
    p.add_argument(
        "--datum",
        choices=["gcj02", "wgs84"],
        default="gcj02",
        help="datum of the boundary files (default gcj02: DataV/AMap exports)",
    )
    p.add_argument("--edition", default=None, help="catalogue edition (default: from the file name)")
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("seed", help="load demo data")
    p.add_argument("what", choices=["demo"])
    p.set_defaults(func=_cmd_seed)

    p = sub.add_parser("bootstrap", help="database + migrations + reference data + demo data")
    p.add_argument("--no-demo", action="store_true")
    p.set_defaults(func=_cmd_bootstrap)

    p = sub.add_parser("verify", help="recompute manifest hash chains; exit 1 if any is broken")
    p.add_argument("manifest", nargs="*", help="manifest ids")
    p.add_argument("--all", action="store_true", help="every manifest, serial and anchor")
    p.add_argument("--anchors", metavar="FILE", help="with --all: compare with a kept copy of the anchors (anchor export)")
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser("user", help="create a user (e.g. the first admin)")
    p.add_argument("action", choices=["create"])
    p.add_argument("--username", required=True)
    p.add_argument("--role", choices=["admin", "regulator"], default="admin")
    p.add_argument("--jurisdiction", type=int, default=None, help="adcode, for regulators")
    p.add_argument("--display-name", default="")
    p.add_argument("--password-stdin", action="store_true")
    p.set_defaults(func=_cmd_user)

    p = sub.add_parser("sweep", help="run all time-based rules now (also run by serve on a schedule)")
    p.set_defaults(func=_cmd_sweep)

    p = sub.add_parser("holidays", help="load the holiday calendar (CSV: day,name,is_workday)")
    p.add_argument("file")
    p.set_defaults(func=_cmd_holidays)

    p = sub.add_parser("anchor", help="record the Merkle root of finished days (serve does it daily), or export them")
    p.add_argument("action", nargs="?", choices=["run", "export"], default="run")
    p.add_argument("file", nargs="?", help="for export: the file to write (- for standard output)")
    p.add_argument("--day", help="YYYY-MM-DD (Asia/Shanghai); default: every finished day not yet anchored")
    p.add_argument("--note", default="")
    p.set_defaults(func=_cmd_anchor)

    p = sub.add_parser("backup", help="pg_dump the database to FILE (custom format)")
    p.add_argument("file")
    p.set_defaults(func=_cmd_backup)

    p = sub.add_parser("restore", help="restore FILE (from backup) into the configured database, replacing it")
    p.add_argument("file")
    p.set_defaults(func=_cmd_restore)

    p = sub.add_parser("serve", help="serve the API")
    p.add_argument("--host", default=os.environ.get("WASTE_TRACKER_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("WASTE_TRACKER_PORT", "8000")))
    p.add_argument("--workers", type=int, default=int(os.environ.get("WASTE_TRACKER_WORKERS", "1")))
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=_cmd_serve)

    args = parser.parse_args(argv)
    from waste_tracker.errors import DomainError
    from waste_tracker.i18n import translate

    try:
        return int(args.func(args) or 0)
    except DomainError as e:
        print(f"error: {e.message or translate(e.code, 'en', e.details)} ({e.code})", file=sys.stderr)
        return 2
    except (OSError, ValueError, KeyError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
