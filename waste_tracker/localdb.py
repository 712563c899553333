"""The embedded development database: a project-local PostgreSQL + PostGIS cluster.

It lives under ``.data/pg``, listens on 127.0.0.1 on a non-default port and on a Unix socket in a
private directory, and is used only when ``DATABASE_URL`` is not set. ``initdb`` refuses to run as
root, so when we are root the cluster is owned by, and run as, the ``postgres`` system user.
"""

from __future__ import annotations

import glob
import hashlib
import os
import pwd
import shutil
import subprocess
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from waste_tracker.config import Settings, get_settings

SUPERUSER = "waste_tracker"  # the cluster's administrator: creates roles and databases, nothing else
OWNER_ROLE = "waste_tracker_owner"  # owns the schema, runs migrations
APP_ROLE = "waste_tracker_app"  # what the service connects as (waste_tracker/privileges.py)


class LocalDbError(RuntimeError):
    """The embedded cluster cannot be brought up; the message says what to do."""


@dataclass(frozen=True)
class LocalCluster:
    data_dir: Path
    port: int
    db_name: str

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pg"

    @property
    def socket_dir(self) -> Path:
        return self.data_dir / "run"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "pg.log"

    def url(self, db_name: str | None = None, role: str = SUPERUSER) -> str:
        name = db_name or self.db_name
        return f"postgresql+psycopg://{role}@/{name}?host={self.socket_dir}&port={self.port}"


def cluster_from_settings(settings: Settings | None = None) -> LocalCluster:
    s = settings or get_settings()
    return LocalCluster(data_dir=_usable_data_dir(Path(s.data_dir).resolve()), port=s.local_pg_port, db_name=s.local_db_name)


@lru_cache
def _usable_data_dir(data_dir: Path) -> Path:
    """``.data`` itself, unless we are root and the ``postgres`` user cannot reach it (a checkout
    under a private directory, e.g. ``mktemp -d``): then a per-checkout directory under
    ``/var/lib/postgresql`` is used and ``.data/pg`` is a symlink to it."""
    if os.geteuid() != 0:
        return data_dir
    probe = data_dir if data_dir.exists() else data_dir.parent
    ok = subprocess.run(["runuser", "-u", "postgres", "--", "test", "-x", str(probe)], capture_output=True).returncode == 0
    if ok:
        return data_dir
    digest = hashlib.sha1(str(data_dir).encode()).hexdigest()[:12]
    alt = Path("/var/lib/postgresql/waste-tracker") / digest
    alt.mkdir(parents=True, exist_ok=True)
    os.chmod(alt.parent, 0o755)
    os.chmod(alt, 0o755)
    data_dir.mkdir(parents=True, exist_ok=True)
    link = data_dir / "pg"
    if not link.exists() and not link.is_symlink():
        link.symlink_to(alt / "pg")
    return alt


def find_bindir() -> Path:
    """The newest installed PostgreSQL server binaries (Debian layout first, then PATH)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True)
    for c in candidates:
        if (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    raise LocalDbError(
        "PostgreSQL server binaries not found. Install them with:\n"
        "  sudo apt-get install -y postgresql-15 postgresql-15-postgis-3\n"
        "or set DATABASE_URL to an existing PostgreSQL+PostGIS database."
    )


def pg_major(bindir: Path) -> str:
    out = subprocess.run([str(bindir / "pg_ctl"), "--version"], capture_output=True, text=True, check=True)
    return out.stdout.strip().split()[-1].split(".")[0]


def postgis_installed(major: str) -> bool:
    return bool(glob.glob(f"/usr/share/postgresql/{major}/extension/postgis.control"))


def ensure_postgis(bindir: Path) -> None:
    """Install PostGIS for the server version found when root; otherwise say the exact command."""
    major = pg_major(bindir)
    if postgis_installed(major):
        return
    package = f"postgresql-{major}-postgis-3"
    if os.geteuid() != 0:
        raise LocalDbError(
            f"PostGIS is not installed for PostgreSQL {major}. Install it with:\n"
            f"  sudo apt-get update && sudo apt-get install -y {package}"
        )
    print(f"installing {package} (PostGIS for PostgreSQL {major}) ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, env=env)
    if not postgis_installed(major):
        raise LocalDbError(f"{package} was installed but postgis.control is still missing")


def _run_as_owner(cmd: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a server command as the cluster owner: ourselves, or ``postgres`` when we are root."""
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, check=check)


def _chown_to_postgres(path: Path) -> None:
    if os.geteuid() != 0:
        return
    pw = pwd.getpwnam("postgres")
    os.chown(path, pw.pw_uid, pw.pw_gid)


def status(cluster: LocalCluster) -> bool:
    """True when the cluster's server is running."""
    if not (cluster.pgdata / "PG_VERSION").exists():
        return False
    bindir = find_bindir()
    res = _run_as_owner([str(bindir / "pg_ctl"), "-D", str(cluster.pgdata), "status"], check=False)
    return res.returncode == 0


def _init(cluster: LocalCluster, bindir: Path) -> None:
    cluster.data_dir.mkdir(parents=True, exist_ok=True)
    for d in (cluster.pgdata, cluster.socket_dir):
        d.mkdir(parents=True, exist_ok=True)
        _chown_to_postgres(d)
    os.chmod(cluster.pgdata, 0o700)
    os.chmod(cluster.socket_dir, 0o700)
    if os.geteuid() == 0:
        # The postgres user must be able to reach .data (the project dir itself stays ours).
        os.chmod(cluster.data_dir, 0o755)
        if not cluster.log_file.exists():
            cluster.log_file.touch()
        _chown_to_postgres(cluster.log_file)
    res = _run_as_owner(
        [
            str(bindir / "initdb"),
            "-D",
            str(cluster.pgdata),
            "-U",
            SUPERUSER,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=False,
    )
    if res.returncode != 0:
        raise LocalDbError(f"initdb failed:\n{res.stdout}\n{res.stderr}")
    conf = cluster.pgdata / "postgresql.conf"
    with conf.open("a") as f:
        f.write(
            "\n# waste-tracker embedded cluster\n"
            "listen_addresses = '127.0.0.1'\n"
            f"port = {cluster.port}\n"
            f"unix_socket_directories = '{cluster.socket_dir}'\n"
            "unix_socket_permissions = 0700\n"
            "max_connections = 200\n"
            "shared_buffers = 512MB\n"
            "work_mem = 16MB\n"
            "maintenance_work_mem = 256MB\n"
            "wal_compression = on\n"
            "max_wal_size = 4GB\n"
            "checkpoint_timeout = 15min\n"
            "random_page_cost = 1.1\n"
            "effective_cache_size = 8GB\n"
            "timezone = 'UTC'\n"
        )


def up(cluster: LocalCluster | None = None, quiet: bool = False) -> LocalCluster:
    """Create (first time) and start the cluster, and make sure the application database exists."""
    cluster = cluster or cluster_from_settings()
    bindir = find_bindir()
    ensure_postgis(bindir)
    if not (cluster.pgdata / "PG_VERSION").exists():
        if not quiet:
            print(f"creating the embedded PostgreSQL cluster in {cluster.pgdata}", flush=True)
        _init(cluster, bindir)
    if not status(cluster):
        # Stale sockets/pids after a crash are handled by pg_ctl itself.
        res = _run_as_owner(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(cluster.pgdata),
                "-l",
                str(cluster.log_file),
                "-w",
                "-t",
                "60",
                "start",
            ],
            check=False,
        )
        if res.returncode != 0:
            tail = cluster.log_file.read_text(errors="replace")[-2000:] if cluster.log_file.exists() else ""
            raise LocalDbError(f"could not start PostgreSQL:\n{res.stdout}\n{res.stderr}\n{tail}")
    _wait_ready(cluster)
    create_database(cluster, cluster.db_name)
    if not quiet:
        print(f"PostgreSQL is up on 127.0.0.1:{cluster.port} (socket {cluster.socket_dir})", flush=True)
    return cluster


def _wait_ready(cluster: LocalCluster, timeout: float = 30.0) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(_libpq(cluster, "postgres"), connect_timeout=3):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _libpq(cluster: LocalCluster, db_name: str) -> str:
    return f"host={cluster.socket_dir} port={cluster.port} user={SUPERUSER} dbname={db_name}"


def ensure_roles(cluster: LocalCluster) -> None:
    """The owner and the application role: logins without superuser, database or role creation.
    (Local socket connections are trusted; the socket directory is private to this user.)"""
    import psycopg

    with psycopg.connect(_libpq(cluster, "postgres"), autocommit=True) as conn:
        for role in (OWNER_ROLE, APP_ROLE):
            if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                conn.execute(f'CREATE ROLE "{role}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS')


# Objects of ``public`` that are not an extension's (PostGIS keeps its own).
_OURS = """
    SELECT c.relkind::text, quote_ident(c.relname) FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
      AND pg_get_userbyid(c.relowner) <> %(owner)s
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                                           AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
    UNION ALL
    SELECT 'f', p.oid::regprocedure::text FROM pg_proc p
    WHERE p.pronamespace = 'public'::regnamespace AND pg_get_userbyid(p.proowner) <> %(owner)s
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
"""
_ALTER = {"r": "TABLE", "p": "TABLE", "S": "SEQUENCE", "v": "VIEW", "m": "MATERIALIZED VIEW", "f": "FUNCTION"}


def adopt(cluster: LocalCluster, name: str) -> None:
    """Give database ``name``, its schema and everything in it (but PostGIS's own objects) to the
    owner role — also for databases made before the two roles existed."""
    import psycopg

    with psycopg.connect(_libpq(cluster, name), autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" OWNER TO "{OWNER_ROLE}"')
        conn.execute(f'ALTER SCHEMA public OWNER TO "{OWNER_ROLE}"')
        conn.execute(f'GRANT CONNECT, TEMPORARY ON DATABASE "{name}" TO "{APP_ROLE}"')
        conn.execute(f'REVOKE ALL ON DATABASE "{name}" FROM PUBLIC')
        for kind, obj in conn.execute(_OURS, {"owner": OWNER_ROLE}).fetchall():
            conn.execute(f'ALTER {_ALTER[kind]} {obj} OWNER TO "{OWNER_ROLE}"')


def create_database(cluster: LocalCluster, name: str) -> bool:
    """Create database ``name`` with PostGIS if it does not exist, owned by the owner role; True
    when created."""
    import psycopg

    ensure_roles(cluster)
    with psycopg.connect(_libpq(cluster, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}" OWNER "{OWNER_ROLE}"')
    if not exists:
        with psycopg.connect(_libpq(cluster, name), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")  # needs the administrator
    adopt(cluster, name)
    return not exists


def drop_database(cluster: LocalCluster, name: str) -> None:
    import psycopg

    with psycopg.connect(_libpq(cluster, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def down(cluster: LocalCluster | None = None, mode: str = "fast") -> bool:
    """Stop the cluster; ``mode='immediate'`` simulates a crash (used by the reliability tests)."""
    cluster = cluster or cluster_from_settings()
    if not status(cluster):
        return False
    bindir = find_bindir()
    _run_as_owner([str(bindir / "pg_ctl"), "-D", str(cluster.pgdata), "-m", mode, "-w", "stop"])
    return True
