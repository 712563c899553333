"""Backup and restore with PostgreSQL's own tools (pg_dump custom format / pg_restore).

A restore replaces the target database's objects (``--clean --if-exists``) in one transaction;
afterwards ``waste-tracker verify --all`` recomputes every chain and anchor.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from waste_tracker.localdb import LocalDbError, find_bindir


def libpq_uri(url: str) -> str:
    """A SQLAlchemy URL as a libpq connection URI (what pg_dump and pg_restore take)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(cmd: list[str]) -> None:
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        # Never echo the connection string: it may carry a password.
        raise LocalDbError(f"{Path(cmd[0]).name} failed: {res.stderr.strip()[-2000:]}")


def backup(url: str, file: Path) -> Path:
    file = Path(file)
    file.parent.mkdir(parents=True, exist_ok=True)
    _run(
        [
            str(find_bindir() / "pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--file={file}",
            f"--dbname={libpq_uri(url)}",
        ]
    )
    return file


def restore(url: str, file: Path) -> None:
    if not Path(file).exists():
        raise FileNotFoundError(file)
    _run(
        [
            str(find_bindir() / "pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={libpq_uri(url)}",
            str(file),
        ]
    )
