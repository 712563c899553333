"""Run the benchmarks: baselines, load scenarios against the real server, micro-benchmarks.

    .venv/bin/python -m bench.run --short                  # make bench: 20k manifests, < 5 minutes
    .venv/bin/python -m bench.run --manifests 1000000      # the full run (generation takes minutes)

Prints a table and writes bench/results/<UTC time>.json. Every figure is also given as a ratio
to the machine's own baselines measured in the same run (raw single-row durable commits/s through
psycopg, and a bare FastAPI endpoint doing one insert), since absolute figures drift between
machines. The bench database (``waste_tracker_bench``) is generated once per scale and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from bench import micro
from bench.common import BENCH_DB, BENCH_SECRET, BenchDb, bench_db, database_exists, free_port, rss_mb, worker_pids
from bench.generate import GENERATOR_VERSION, generate, top_up
from waste_tracker import clock

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

PROFILES: dict[str, dict[str, Any]] = {
    "short": {
        "manifests": 20_000,
        "raw_s": 3,
        "bare_s": 5,
        "bare_rate_s": 4,
        "storm_s": 12,
        "storm_c": 48,
        "rate_s": 8,
        "mixed_s": 10,
        "mixed_c": 16,
        "regulator_s": 2.5,
        "regulator_c": 2,
        "labels": 20,
        "bulk": 40,
        "sweep_runs": 2,
        "storm_guess": 800,
        "workers": 2,
    },
    "smoke": {
        "manifests": 200,
        "raw_s": 1,
        "bare_s": 1.5,
        "bare_rate_s": 1.5,
        "storm_s": 2,
        "storm_c": 8,
        "rate_s": 2,
        "mixed_s": 2,
        "mixed_c": 4,
        "regulator_s": 0.3,
        "regulator_c": 1,
        "labels": 3,
        "bulk": 3,
        "sweep_runs": 1,
        "storm_guess": 100,
        "workers": 1,
        "warmup": False,
    },
    "full": {
        "manifests": 1_000_000,
        "raw_s": 10,
        "bare_s": 20,
        "bare_rate_s": 15,
        "storm_s": 60,
        "storm_c": 64,
        "rate_s": 30,
        "mixed_s": 60,
        "mixed_c": 24,
        "regulator_s": 10,
        "regulator_c": 2,
        "labels": 50,
        "bulk": 200,
        "sweep_runs": 3,
        "storm_guess": 800,
        "workers": 2,
        "flows_at_scale": 10_000_000,
    },
}


def log(msg: str) -> None:
    print(f"[bench {datetime.now().strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# servers


class Server:
    """uvicorn with 2 workers on 127.0.0.1, like production (``uvicorn[standard]``: uvloop, httptools)."""

    def __init__(self, app: str, db: BenchDb, workers: int = 2) -> None:
        self.port = free_port()
        self.workers = workers
        env = {
            **os.environ,
            "DATABASE_URL": db.url,
            "WASTE_TRACKER_SECRET_KEY": BENCH_SECRET,
            "WASTE_TRACKER_SWEEP_INTERVAL_SECONDS": "0",
            "WASTE_TRACKER_ENV": "development",
            "PYTHONPATH": str(ROOT),
        }
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--workers",
            str(workers),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        self.proc = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)
        self.samples: list[tuple[float, int, float]] = []
        self._sampling = False

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as r:  # noqa: S310 - local
                    if r.status == 200 and len(self.worker_pids()) >= self.workers:
                        time.sleep(1.0)  # let every worker finish its start-up
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("server did not become ready")

    def worker_pids(self) -> list[int]:
        """The processes serving requests: uvicorn's spawned workers, or itself with one worker."""
        return [self.proc.pid] if self.workers == 1 else worker_pids(self.proc.pid)

    def worker_rss(self) -> dict[int, float]:
        return {p: r for p in self.worker_pids() if (r := rss_mb(p)) is not None}

    def start_sampling(self) -> None:
        """Sample the workers' RSS every 0.25 s (time, pid, MB) until stop_sampling."""
        self.samples = []
        self._sampling = True

        def loop() -> None:
            while self._sampling:
                now = time.time()
                for pid, mb in self.worker_rss().items():
                    self.samples.append((now, pid, mb))
                time.sleep(0.25)

        threading.Thread(target=loop, daemon=True).start()

    def stop_sampling(self) -> None:
        self._sampling = False
        time.sleep(0.3)

    def max_rss(self, start: float, end: float) -> dict[str, float]:
        out: dict[str, float] = {}
        for t, pid, mb in self.samples:
            if start <= t <= end:
                out[str(pid)] = round(max(out.get(str(pid), 0.0), mb), 1)
        return out

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def load(phases: list[dict[str, Any]], port: int, db: BenchDb) -> dict[str, Any]:
    """Run the phases in one bench.load process (its own process: the load generator must not
    share the server's event loop), phase after phase; returns each phase's result by name."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(phases, f)
        plan = f.name
    out = plan + ".out"
    budget = sum(float(p.get("duration", 10)) for p in phases) + 120 * len(phases)
    try:
        subprocess.run(
            [sys.executable, "-m", "bench.load", plan, "--port", str(port), "--db", db.name, "--out", out],
            check=True,
            cwd=ROOT,
            timeout=budget,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        result = json.loads(Path(out).read_text())
    finally:
        for f_ in (plan, out):
            if os.path.exists(f_):
                os.unlink(f_)
    return result if len(phases) > 1 else {phases[0].get("name", phases[0]["scenario"]): result}


# ---------------------------------------------------------------------------------------------


def scale_of(db: BenchDb) -> dict[str, Any] | None:
    if not database_exists(db):
        return None
    try:
        with psycopg.connect(db.conninfo) as conn:
            row = conn.execute("SELECT value FROM bench.meta WHERE key = 'scale'").fetchone()
            return json.loads(row[0]) if row else None
    except psycopg.Error:
        return None


def ensure_ready(db: BenchDb, submitted: int, others: int) -> dict[str, int]:
    """Top up today's work so the scenarios have manifests to scan, receive and dispose of."""
    with psycopg.connect(db.conninfo) as conn:
        have = dict(
            conn.execute(
                """SELECT status, count(*) FROM manifest WHERE purpose = 'transfer' AND submitted_at > now() - interval '3 days'
                   AND status IN ('submitted', 'in_transit', 'delivered', 'received') GROUP BY 1"""
            ).fetchall()
        )
    want = {
        "submitted": max(0, submitted - have.get("submitted", 0)),
        "picked_up": max(0, others - have.get("in_transit", 0)),
        "dropped_off": max(0, others - have.get("delivered", 0)),
        "received": max(0, others - have.get("received", 0)),
    }
    if sum(want.values()):
        top_up(db, want)
        with psycopg.connect(db.conninfo, autocommit=True) as conn:
            conn.execute("ANALYZE manifest")
    return want


def run(profile: dict[str, Any], db: BenchDb, regenerate: bool) -> dict[str, Any]:
    t_all = time.perf_counter()
    result: dict[str, Any] = {"started_at": clock.now().isoformat(), "profile": profile, "machine": machine()}
    scale = scale_of(db)
    if regenerate or not scale or scale.get("manifests") != profile["manifests"] or scale.get("version") != GENERATOR_VERSION:
        log(f"generating {profile['manifests']:,} manifests into {db.name} ...")
        result["generation"] = generate(db, profile["manifests"], ready=ready_mix_total(profile))
        log(f"generated in {result['generation']['timings']['total_s']} s")
    else:
        from waste_tracker.migrate import upgrade

        upgrade(db.url)  # a database kept from an earlier run gets the migrations added since
    with psycopg.connect(db.conninfo) as conn:
        result["data"] = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("manifest", "manifest_event", "alert")
        } | {
            "big_enterprise_manifests": conn.execute(
                "SELECT count(*) FROM manifest GROUP BY generator_org_id ORDER BY 1 DESC LIMIT 1"
            ).fetchone()[0]
        }

    log("baseline: raw single-row durable commits")
    result["raw_commits"] = micro.raw_commits(db, profile["raw_s"], 1)
    result["raw_commits_16"] = micro.raw_commits(db, profile["raw_s"], 16)

    log("baseline: bare FastAPI endpoint doing one insert")
    bare = Server("bench.bare_app:app", db, profile["workers"])
    try:
        bare.wait_ready()
        res = load(
            [
                {"name": "warm", "scenario": "bare", "duration": 1.0, "concurrency": 8},
                {"name": "bare", "scenario": "bare", "duration": profile["bare_s"], "concurrency": profile["storm_c"]},
                {"name": "bare_rate", "scenario": "bare", "duration": profile["bare_rate_s"], "rate": 50, "open_loop": True},
            ],
            bare.port,
            db,
        )
        result["bare"], result["bare_rate"] = res["bare"], res["bare_rate"]
    finally:
        bare.stop()

    need = ready_needed(profile)
    log(f"today's work: topping up to {need:,} submitted manifests")
    result["top_up"] = ensure_ready(db, need, int(max(profile["mixed_s"] * 30, need * 0.15)))

    app = Server("api.main:app", db, profile["workers"])
    try:
        app.wait_ready()
        log("scenarios: warm-up, scan storm, scans at 50/s, mixed day, regulator")
        phases: list[dict[str, Any]] = []
        if profile.get("warmup", True):
            phases += [
                {"name": "warm_scans", "scenario": "rate", "duration": 2.0, "rate": 20, "seed": 99},
                {"name": "warm_regulator", "scenario": "regulator", "duration": 0.5, "concurrency": 1, "seed": 98},
            ]
        phases += [
            # before the storm, which drops the loads in transit off
            {"name": "tracks", "scenario": "tracks", "duration": profile["rate_s"], "concurrency": profile["storm_c"]},
            {"name": "storm", "scenario": "storm", "duration": profile["storm_s"], "concurrency": profile["storm_c"]},
            {"name": "rate", "scenario": "rate", "duration": profile["rate_s"], "rate": 50, "seed": 2},
            {"name": "mixed", "scenario": "mixed", "duration": profile["mixed_s"], "concurrency": profile["mixed_c"], "seed": 3},
            {
                "name": "regulator",
                "scenario": "regulator",
                "duration": profile["regulator_s"],
                "concurrency": profile["regulator_c"],
                "seed": 4,
            },
        ]
        result["rss_idle"] = {str(k): round(v, 1) for k, v in app.worker_rss().items()}
        app.start_sampling()
        res = load(phases, app.port, db)
        app.stop_sampling()
        for k in ("tracks", "storm", "rate", "mixed", "regulator"):
            result[k] = res[k]
        result["storm"]["max_rss_mb_per_worker"] = app.max_rss(res["storm"]["wall_start"], res["storm"]["wall_end"])
        result["max_rss_mb_all_phases"] = app.max_rss(0, time.time())
    finally:
        app.stop()

    log("flows roll-up against a fresh aggregate")
    result["rollup_check"] = micro.rollup_check(db)
    log("micro: sweep")
    result["sweep"] = micro.sweep(db, profile["sweep_runs"])
    skip = profile.get("skip", [])
    if profile.get("flows_at_scale") and "flows_at_scale" not in skip:
        log(f"micro: flows map over a roll-up for {profile['flows_at_scale']:,} manifests")
        result["flows_at_scale"] = micro.flows_at_scale(db, profile["flows_at_scale"])
    if "verify" not in skip:
        log("micro: chain verification")
        result["verify"] = micro.verify(db)
    log("micro: labels")
    result["labels"] = micro.labels(profile["labels"])
    if "bulk" not in skip:
        log("micro: bulk submission")
        result["bulk_submission"] = micro.bulk_submission(db, profile["bulk"])
    result["seconds"] = round(time.perf_counter() - t_all, 1)
    result["machine"]["loadavg_at_end"] = open("/proc/loadavg").read().split()[:3]
    result["table"] = table(result)
    return result


def ready_needed(profile: dict[str, Any]) -> int:
    """Submitted manifests the scenarios may pick up: the storm at a generous rate, 50/s, the mixed day."""
    return int(profile["storm_s"] * profile["storm_guess"] / 2 + profile["rate_s"] * 50 + profile["mixed_s"] * 30 + 100)


def ready_mix_total(profile: dict[str, Any]) -> int:
    return ready_needed(profile) * 10 // 7


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    try:
        info["cpu"] = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
        info["mem_gib"] = round(
            int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal"))) / 2**20, 1
        )
        info["loadavg_at_start"] = open("/proc/loadavg").read().split()[:3]
    except (OSError, StopIteration):
        pass
    try:
        t = time.perf_counter()
        x = 0
        for i in range(2_000_000):
            x += i
        info["python_loop_2M_s"] = round(time.perf_counter() - t, 3)  # a crude CPU-speed yardstick
    except Exception:  # noqa: BLE001
        pass
    return info


# ---------------------------------------------------------------------------------------------
# the table


def _p99(d: dict[str, Any] | None) -> float | None:
    return (d or {}).get("p99_ms")


def table(r: dict[str, Any]) -> list[dict[str, Any]]:
    raw = r["raw_commits"]["commits_per_s"]
    bare_s = r["bare"]["ok_per_s"]
    bare_p50 = r["bare_rate"]["ops"]["insert"]["p50_ms"]
    bare_p99 = r["bare_rate"]["ops"]["insert"]["p99_ms"]
    rows: list[dict[str, Any]] = []

    def row(name: str, value: Any, unit: str, ratio: str = "", target: str = "", ok: bool | None = None) -> None:
        rows.append({"metric": name, "value": value, "unit": unit, "ratio": ratio, "target": target, "ok": ok})

    row("raw single-row durable commits (1 conn)", raw, "/s", "1.00 (baseline)")
    row(
        "raw single-row durable commits (16 conns)",
        r["raw_commits_16"]["commits_per_s"],
        "/s",
        f"{r['raw_commits_16']['commits_per_s'] / raw:.2f}× raw",
    )
    row("bare FastAPI insert endpoint, closed loop", bare_s, "/s", f"{bare_s / raw:.2f}× raw")
    row("bare FastAPI insert endpoint @50/s p50 / p99", f"{bare_p50} / {bare_p99}", "ms", "1.00 (latency baseline)")
    storm = r["storm"]["scans_per_s"]
    row(
        "scan storm (pickup + drop-off), sustained",
        storm,
        "/s",
        f"{storm / raw:.2f}× raw, {storm / bare_s:.2f}× bare",
        "≥ 500/s and ≥ 0.25× raw",
        storm >= 500 and storm >= 0.25 * raw,
    )
    p99 = r["rate"]["scans"]["p99_ms"]
    row(
        "scan latency @50 scans/s, p99",
        p99,
        "ms",
        f"{p99 / bare_p99:.1f}× bare p99" if p99 else "",
        "≤ 50 ms",
        p99 is not None and p99 <= 50,
    )
    tr = r.get("tracks") or {}
    if "points_per_s" in tr:
        pts = tr["points_per_s"]
        row(
            "track points ingested (batches of 60), sustained",
            pts,
            "/s",
            f"{pts / 60 / raw:.2f}× raw (per batch)",
            "≥ 10,000/s",
            pts >= 10_000,
        )
        row("track batch of 60, p99", (tr.get("ops", {}).get("track_batch") or {}).get("p99_ms"), "ms", "", "", None)
    mem = max((r["storm"].get("max_rss_mb_per_worker") or {"-": 0}).values())
    row("server RSS per worker under the storm (max)", mem, "MB", "", "≤ 300 MB", mem <= 300)
    reg = r["regulator"]
    n = r["data"]["manifest"]
    for op, label, target, limit in [
        ("alert_queue", "alert queue page (county + status), p99", "≤ 50 ms", 50),
        ("alert_detail", "alert detail, p99", "", None),
        ("manifest_list", f"manifest list, enterprise with {r['data']['big_enterprise_manifests']:,}, p99", "≤ 50 ms", 50),
        ("manifest_list_page2", "manifest list, next page (cursor), p99", "≤ 50 ms", 50),
        ("flows", "flows map (county × county, one year), p99", "≤ 300 ms at 10M", 300),
        ("kpis", "KPIs per county (30 days), p99", "", None),
    ]:
        v = _p99(reg.get(op))
        row(
            label,
            v,
            "ms",
            f"{v / bare_p50:.1f}× bare p50" if v else "",
            target,
            (v is not None and v <= limit) if limit else None,
        )
    fs = r.get("flows_at_scale")
    if fs:
        v = max(fs["city_regulator"]["max_ms"], fs["province_admin"]["max_ms"])
        row(
            f"flows map, one year, roll-up of {fs['manifests_represented'] / 1e6:.0f}M manifests (max)",
            v,
            "ms",
            f"{v / bare_p50:.1f}× bare p50",
            "≤ 300 ms at 10M",
            v <= 300,
        )
    mixed = r["mixed"]
    row("mixed day, all operations", mixed["ok_per_s"], "/s", f"{mixed['ok_per_s'] / raw:.2f}× raw", "", None)
    worst = max(((op, d.get("p99_ms") or 0) for op, d in mixed["ops"].items()), key=lambda x: x[1], default=("-", 0))
    row("mixed day, slowest operation p99", f"{worst[1]} ({worst[0]})", "ms", "", "", None)
    sw = r["sweep"]["seconds"]
    row(
        f"sweep, all time rules, {n:,} manifests",
        sw,
        "s",
        f"{sw * raw:.0f} commit-times",
        "≤ 10 s at 1M",
        sw <= 10 * max(1.0, n / 1_000_000),
    )
    v = r.get("verify")
    if v:
        row(
            f"chain verification ({v['events']:,} events, {v.get('workers') or 'auto'} workers)",
            v["events_per_s"],
            "events/s",
            f"{v['events_per_s'] / raw:.0f}× raw",
            "≥ 100k/s",
            v["events_per_s"] >= 100_000,
        )
    lab = r["labels"]
    row(
        "label (QR PNG) first render, median / max",
        f"{lab['first_render_ms_median']} / {lab['first_render_ms_max']}",
        "ms",
        "",
        "≤ 20 ms",
        lab["first_render_ms_max"] <= 20,
    )
    row("label cached", lab["cached_us_median"], "µs", "", "cached", lab["cached_us_median"] < 1000)
    rc = r["rollup_check"]
    row("flows roll-up rows differing from a fresh aggregate", rc["differing_rows"], "rows", "", "0", rc["differing_rows"] == 0)
    b = r.get("bulk_submission")
    if b:
        row(
            "bulk submission (draft + submit, 1 txn each)",
            b["manifests_per_s"],
            "/s",
            f"{b['manifests_per_s'] / raw:.2f}× raw",
            "",
            None,
        )
    return rows


def print_table(rows: list[dict[str, Any]], out: Any = sys.stdout) -> None:
    w = [max(len(str(x[k])) for x in rows) for k in ("metric", "value", "unit", "ratio", "target")]
    header = ("metric", "value", "unit", "ratio to baseline", "target")
    w = [max(a, len(b)) for a, b in zip(w, header, strict=True)]
    line = "  ".join(h.ljust(n) for h, n in zip(header, w, strict=True)) + "  ok"
    print(line, file=out)
    print("-" * len(line), file=out)
    for x in rows:
        ok = "" if x["ok"] is None else ("yes" if x["ok"] else "NO")
        print(
            "  ".join(str(x[k]).ljust(n) for k, n in zip(("metric", "value", "unit", "ratio", "target"), w, strict=True))
            + f"  {ok}",
            file=out,
        )


def default_db(manifests: int) -> str:
    """One database per scale, so the short and the full runs do not regenerate each other's."""
    if manifests == PROFILES["short"]["manifests"]:
        return BENCH_DB
    scale = (
        f"{manifests // 1_000_000}m"
        if manifests % 1_000_000 == 0
        else f"{manifests // 1000}k"
        if manifests % 1000 == 0
        else str(manifests)
    )
    return f"{BENCH_DB}_{scale}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--short", action="store_true", help="the make-bench run: small scale, short phases (< 5 min)")
    p.add_argument("--smoke", action="store_true", help="tiny scale, phases of a second or two (the smoke test)")
    p.add_argument("--manifests", type=int, default=None, help="scale (default: 20k short, 1M full)")
    p.add_argument("--db", default=None, help="default: waste_tracker_bench (20k), waste_tracker_bench_<scale> otherwise")
    p.add_argument("--regenerate", action="store_true")
    p.add_argument("--scale-durations", type=float, default=1.0, help="multiply every phase's duration")
    p.add_argument("--out", default=None, help="results JSON (default bench/results/<time>.json)")
    p.add_argument("--skip", default="", help="comma-separated micro-benchmarks to leave out: verify, flows_at_scale, bulk")
    args = p.parse_args(argv)
    profile = dict(PROFILES["smoke" if args.smoke else "short" if args.short else "full"])
    if args.manifests:
        profile["manifests"] = args.manifests
    for k in list(profile):
        if k.endswith("_s"):
            profile[k] = profile[k] * args.scale_durations
    profile["skip"] = [x.strip() for x in args.skip.split(",") if x.strip()]
    db = bench_db(args.db or default_db(profile["manifests"]))
    result = run(profile, db, args.regenerate)
    out = Path(args.out) if args.out else RESULTS / f"{clock.now().strftime('%Y%m%dT%H%M%SZ')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    print()
    print_table(result["table"])
    print(
        f"\n{result['data']['manifest']:,} manifests, {result['data']['manifest_event']:,} events; "
        f"run took {result['seconds']} s; results: {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
