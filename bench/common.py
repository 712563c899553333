"""Shared helpers: the bench database on the embedded cluster, timing and percentiles."""

from __future__ import annotations

import math
import os
import socket
from dataclasses import dataclass

from waste_tracker import localdb
from waste_tracker.config import Settings

BENCH_DB = "waste_tracker_bench"
BENCH_SECRET = "bench-secret-key-that-is-long-enough-0123456789abcdef"
PROTECTED = {"waste_tracker", "postgres", "template0", "template1"}


@dataclass(frozen=True)
class BenchDb:
    cluster: localdb.LocalCluster
    name: str

    @property
    def url(self) -> str:
        """SQLAlchemy URL (psycopg 3)."""
        return self.cluster.url(self.name)

    @property
    def conninfo(self) -> str:
        """libpq connection string for psycopg."""
        c = self.cluster
        return f"host={c.socket_dir} port={c.port} user={localdb.SUPERUSER} dbname={self.name}"


def bench_db(name: str = BENCH_DB) -> BenchDb:
    """The embedded cluster (started if needed) and a database name that is never the dev or a test DB."""
    if name in PROTECTED or name.startswith("waste_tracker_test_"):
        raise SystemExit(f"refusing to use database {name!r}: benchmarks use their own database")
    cluster = localdb.up(localdb.cluster_from_settings(Settings(database_url=None)), quiet=True)
    return BenchDb(cluster, name)


def database_exists(db: BenchDb) -> bool:
    import psycopg

    with psycopg.connect(db.cluster.url("postgres").replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db.name,)).fetchone() is not None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of an already sorted list (None when empty)."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, math.ceil(p / 100 * len(sorted_values)) - 1))
    return sorted_values[k]


def latency_summary(latencies_s: list[float]) -> dict[str, float | int | None]:
    v = sorted(latencies_s)
    ms = 1000.0
    return {
        "n": len(v),
        "p50_ms": round(percentile(v, 50) * ms, 2) if v else None,
        "p95_ms": round(percentile(v, 95) * ms, 2) if v else None,
        "p99_ms": round(percentile(v, 99) * ms, 2) if v else None,
        "max_ms": round(v[-1] * ms, 2) if v else None,
    }


def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def worker_pids(pid: int) -> list[int]:
    """uvicorn's worker processes (multiprocessing spawn children; not its resource tracker)."""
    out = []
    for c in children(pid):
        try:
            with open(f"/proc/{c}/cmdline", "rb") as f:
                if b"spawn_main" in f.read():
                    out.append(c)
        except OSError:
            pass
    return out
