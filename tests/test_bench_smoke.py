"""The benchmark harness still runs: ``bench.run --smoke`` (200 manifests, phases of a second or
two) against its own database on the embedded cluster, then ``waste-tracker verify --all`` on the
data it generated and changed. Benchmarks themselves are not tests (``make bench``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from waste_tracker import localdb
from waste_tracker.config import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def smoke_db() -> Iterator[tuple[localdb.LocalCluster, str]]:
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("the harness runs on the embedded cluster")
    cluster = localdb.up(localdb.cluster_from_settings(Settings(database_url=None)), quiet=True)
    name = f"waste_tracker_bench_smoke_{os.getpid()}"
    yield cluster, name
    localdb.drop_database(cluster, name)


def test_bench_harness_runs_at_a_tiny_scale(smoke_db: tuple[localdb.LocalCluster, str], tmp_path: Path) -> None:
    cluster, name = smoke_db
    out = tmp_path / "results.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    run = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--db", name, "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "scan storm" in run.stdout  # the table was printed
    r = json.loads(out.read_text())
    for key in (
        "raw_commits",
        "bare",
        "bare_rate",
        "storm",
        "rate",
        "mixed",
        "regulator",
        "sweep",
        "verify",
        "labels",
        "bulk_submission",
        "rollup_check",
        "table",
    ):
        assert key in r, key
    assert r["generation"]["manifests"] == 200
    assert r["raw_commits"]["commits_per_s"] > 0
    assert r["bare"]["ok"] > 0
    assert r["storm"]["ops"]["pickup"]["ok"] > 0 or r["storm"]["ops"]["dropoff"]["ok"] > 0
    assert r["storm"]["max_rss_mb_per_worker"]
    assert r["mixed"]["ok"] > 0
    assert r["regulator"]["flows"]["ok"] > 0
    assert r["verify"]["events"] > 0 and r["verify"]["breaks"] == 0
    assert r["rollup_check"]["differing_rows"] == 0
    assert {row["metric"] for row in r["table"]} >= {"scan latency @50 scans/s, p99", "label cached"}

    # The generated data (and everything the scenarios appended to it) verifies with the CLI.
    verify = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "waste-tracker"), "verify", "--all"]
        if (ROOT / ".venv" / "bin" / "waste-tracker").exists()
        else [sys.executable, "-m", "waste_tracker.cli", "verify", "--all"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": cluster.url(name)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stdout[-2000:] + verify.stderr[-2000:]
    assert verify.stdout.strip().endswith("OK")
