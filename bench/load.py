"""The load generator: a separate process that drives the real server over HTTP on 127.0.0.1.

    .venv/bin/python -m bench.load SCENARIO --port 8123 --db waste_tracker_bench --duration 20 [--out f.json]

Scenarios: ``storm`` (drivers picking up and dropping off, closed loop, many connections),
``rate`` (scans at a fixed rate, open loop: latency measured from the scheduled send time so a
slow server cannot hide behind a slow client), ``mixed`` (a working day: filing, scans, receipts,
disposal, regulator queries), ``regulator`` (each regulator query in turn), ``bare`` (the
baseline endpoint of ``bench.bare_app``).

The HTTP client is a minimal HTTP/1.1 keep-alive client on asyncio streams (uvloop when
available): on a 2-core machine shared with the server, a general-purpose client (httpx) costs
more CPU per request than the endpoints being measured. Every run is bounded in time and in
requests; it only ever connects to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from bench.common import BENCH_SECRET, bench_db, latency_summary
from waste_tracker import clock
from waste_tracker.auth.tokens import issue_access_token
from waste_tracker.scan.tokens import make_token

HOST = "127.0.0.1"
JIAXING_COUNTIES = [330402, 330411, 330421, 330424, 330481, 330482, 330483]
MAX_REQUESTS = 2_000_000


# ---------------------------------------------------------------------------------------------
# a small HTTP/1.1 client


class HttpError(Exception):
    pass


class Conn:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: Any = None
    ) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            await self._open()
        assert self.reader is not None and self.writer is not None
        data = b""
        head = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}"]
        if body is not None:
            data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
            head += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
        for k, v in (headers or {}).items():
            head.append(f"{k}: {v}")
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + data)
        try:
            status_line = await self.reader.readline()
            if not status_line:
                raise HttpError("connection closed")
            status = int(status_line.split(b" ", 2)[1])
            hdrs: dict[str, str] = {}
            while True:
                line = await self.reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                k, _, v = line.decode("latin-1").partition(":")
                hdrs[k.strip().lower()] = v.strip()
            if "content-length" in hdrs:
                payload = await self.reader.readexactly(int(hdrs["content-length"]))
            elif hdrs.get("transfer-encoding") == "chunked":
                parts = []
                while True:
                    size = int((await self.reader.readline()).strip(), 16)
                    if size == 0:
                        await self.reader.readline()
                        break
                    parts.append(await self.reader.readexactly(size))
                    await self.reader.readline()
                payload = b"".join(parts)
            else:
                payload = b""
            if hdrs.get("connection") == "close":
                self.close()
            return status, hdrs, payload
        except (ConnectionError, asyncio.IncompleteReadError, ValueError) as e:
            self.close()
            raise HttpError(str(e)) from e


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    codes: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    errors: list[str] = field(default_factory=list)
    requests: int = 0

    def record(self, op: str, status: int, seconds: float) -> None:
        self.requests += 1
        self.codes[op][status] += 1
        if 200 <= status < 300:
            self.latencies[op].append(seconds)

    def summary(self, duration: float) -> dict[str, Any]:
        ops = {}
        for op in sorted(set(self.codes) | set(self.latencies)):
            ok = len(self.latencies[op])
            ops[op] = {
                "ok": ok,
                "per_s": round(ok / duration, 1) if duration else None,
                "codes": {str(k): v for k, v in sorted(self.codes[op].items())},
                **latency_summary(self.latencies[op]),
            }
        ok_total = sum(len(v) for v in self.latencies.values())
        return {
            "duration_s": round(duration, 2),
            "requests": self.requests,
            "ok": ok_total,
            "ok_per_s": round(ok_total / duration, 1) if duration else None,
            "errors": sum(c for op in self.codes.values() for s, c in op.items() if not 200 <= s < 300),
            "error_samples": self.errors[:5],
            "ops": ops,
        }


async def call(
    stats: Stats, conn: Conn, op: str, method: str, path: str, headers: dict[str, str], body: Any = None, t0: float | None = None
) -> tuple[int, Any]:
    start = time.perf_counter() if t0 is None else t0
    try:
        status, _, payload = await conn.request(method, path, headers, body)
    except HttpError as e:
        stats.record(op, 599, time.perf_counter() - start)
        if len(stats.errors) < 20:
            stats.errors.append(f"{op}: {e}")
        return 599, None
    stats.record(op, status, time.perf_counter() - start)
    if not 200 <= status < 300 and len(stats.errors) < 20:
        stats.errors.append(f"{op} {status}: {payload[:300].decode(errors='replace')}")
    try:
        return status, json.loads(payload) if payload else None
    except ValueError:
        return status, None


# ---------------------------------------------------------------------------------------------
# what the scenarios act on, read from the bench database before the clock starts


@dataclass
class Work:
    secret: str
    tokens: dict[uuid.UUID, str]
    drivers: dict[uuid.UUID, list[tuple[uuid.UUID, str]]]  # carrier -> [(driver, plate)]
    pools: dict[str, list[dict[str, Any]]]
    receivers: dict[uuid.UUID, uuid.UUID]  # receiver org -> an enterprise user
    templates: list[dict[str, Any]]  # filing: generator user + a body to submit
    regulators: dict[int, uuid.UUID]
    big_generator_user: uuid.UUID
    alert_ids: list[int]

    def auth(self, user: uuid.UUID) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


def load_work(db_name: str, secret: str, pools: tuple[str, ...] = ("submitted", "in_transit", "delivered", "received")) -> Work:
    db = bench_db(db_name)
    with psycopg.connect(db.conninfo) as conn:
        users = conn.execute("SELECT id, role, organisation_id, jurisdiction_adcode, username FROM app_user").fetchall()
        tokens = {u[0]: issue_access_token(u[0], u[1], secret, 600)[0] for u in users}
        plates: dict[uuid.UUID, list[str]] = defaultdict(list)
        for org, plate in conn.execute("SELECT organisation_id, plate FROM vehicle ORDER BY plate"):
            plates[org].append(plate)
        drivers: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = defaultdict(list)
        for uid, role, org, _, _ in sorted(users, key=lambda u: u[4]):
            if role == "driver":
                drivers[org].append((uid, plates[org][len(drivers[org]) % len(plates[org])]))
        enterprise = {
            org: uid for uid, role, org, _, _ in sorted(users, key=lambda u: u[4], reverse=True) if role == "enterprise"
        }
        regulators = {adcode: uid for uid, role, _, adcode, _ in users if role == "regulator"}
        rows = conn.execute(
            """SELECT m.id, m.number, m.status, m.carrier_org_id, m.receiver_org_id, m.planned_method_code,
                      ST_X(ps.location), ST_Y(ps.location), ST_X(rs.location), ST_Y(rs.location), m.accepted_kg,
                      m.vehicle_plate
               FROM manifest m JOIN site ps ON ps.id = m.pickup_site_id JOIN site rs ON rs.id = m.receiver_site_id
               WHERE m.status = ANY(%s) AND m.purpose = 'transfer' AND m.submitted_at > now() - interval '3 days'
               ORDER BY m.submitted_at""",
            (list(pools),),
        ).fetchall()
        lines: dict[uuid.UUID, list[tuple[int, str]]] = defaultdict(list)
        for mid, no, kg in conn.execute(
            "SELECT manifest_id, line_no, declared_kg FROM manifest_line WHERE manifest_id = ANY(%s) ORDER BY 1, 2",
            ([r[0] for r in rows],),
        ):
            lines[mid].append((no, f"{kg:.3f}"))
        by_status: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for mid, number, status, carrier, receiver, method, plon, plat, rlon, rlat, accepted, plate in rows:
            by_status[status].append(
                {
                    "id": mid,
                    "token": make_token(secret, mid, number),
                    "carrier": carrier,
                    "receiver": receiver,
                    "method": method,
                    "pickup": (plon, plat),
                    "dropoff": (rlon, rlat),
                    "lines": lines.get(mid, []),
                    "accepted": f"{accepted:.3f}" if accepted is not None else None,
                    "plate": plate,
                }
            )
        # Filing templates: recent manifests of ordinary generators, refiled with the same parties.
        templates = []
        tpl = conn.execute(
            """SELECT DISTINCT ON (m.generator_org_id) m.id, m.generator_org_id, m.generator_site_id, m.carrier_org_id,
                      m.receiver_site_id, m.planned_method_code
               FROM manifest m WHERE m.status = 'completed' AND m.created_at > now() - interval '400 days'
               ORDER BY m.generator_org_id, m.created_at DESC LIMIT 200"""
        ).fetchall()
        tpl_lines: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
        for mid, code, form, kg, ctype, count in conn.execute(
            """SELECT manifest_id, waste_code, physical_form, declared_kg, container_type, container_count
               FROM manifest_line WHERE manifest_id = ANY(%s) ORDER BY manifest_id, line_no""",
            ([t[0] for t in tpl],),
        ):
            tpl_lines[mid].append(
                {
                    "waste_code": code,
                    "physical_form": form,
                    "quantity": f"{kg:.3f}",
                    "unit": "kg",
                    "container_type": ctype,
                    "container_count": count,
                }
            )
        for mid, gen, gsite, carrier, rsite, method in tpl:
            if gen in enterprise:
                templates.append(
                    {
                        "user": enterprise[gen],
                        "body": {
                            "generator_site_id": str(gsite),
                            "carrier_org_id": str(carrier),
                            "receiver_site_id": str(rsite),
                            "planned_method_code": method,
                            "planned_pickup_date": str(clock.today()),
                            "emergency_measures": "泄漏时用吸附棉围堵，严禁明火，立即报告。",
                            "emergency_contact": "王安全",
                            "emergency_phone": "0573-82000000",
                            "lines": tpl_lines[mid],
                        },
                    }
                )
        big = conn.execute("SELECT generator_org_id FROM manifest GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        alert_ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM alert WHERE status IN ('open', 'acknowledged') AND manifest_id IS NOT NULL "
                "ORDER BY random() LIMIT 500"
            )
        ]
    return Work(secret, tokens, drivers, by_status, enterprise, templates, regulators, enterprise[big], alert_ids)


def scan_body(m: dict[str, Any], action: str, plate: str, rng: random.Random) -> dict[str, Any]:
    lon, lat = m["pickup"] if action == "pickup" else m["dropoff"]
    body = {
        "token": m["token"],
        "action": action,
        "lon": round(lon + rng.uniform(-0.0004, 0.0004), 7),
        "lat": round(lat + rng.uniform(-0.0004, 0.0004), 7),
        "accuracy_m": round(rng.uniform(4, 25), 1),
        "device_time": clock.local(clock.now()).isoformat(),
        "vehicle_plate": plate,
    }
    if action == "pickup" and rng.random() < 0.5:
        body["quantity_kg"] = "1000.000"
    return body


def driver_for(work: Work, m: dict[str, Any], rng: random.Random) -> tuple[uuid.UUID, str]:
    """The driver of the truck that picked the load up (drop-offs), or any of the carrier's."""
    drivers = work.drivers[m["carrier"]]
    if m.get("plate"):
        for d in drivers:
            if d[1] == m["plate"]:
                return d
    d = rng.choice(drivers)
    m["plate"] = d[1]
    return d


async def scan(
    work: Work,
    stats: Stats,
    conn: Conn,
    m: dict[str, Any],
    action: str,
    rng: random.Random,
    t0: float | None = None,
    retry: float = 0.05,
) -> int:
    driver, plate = driver_for(work, m, rng)
    headers = work.auth(driver) | {"Idempotency-Key": uuid.uuid4().hex}
    body = scan_body(m, action, plate, rng)
    status, _ = await call(stats, conn, action, "POST", "/api/v1/scans", headers, body, t0)
    if status == 201 and rng.random() < retry:
        # A driver on a weak network retries: same key, same body -> the stored response, nothing recorded twice.
        await call(stats, conn, f"{action}_retry", "POST", "/api/v1/scans", headers, body)
    return status


# ---------------------------------------------------------------------------------------------
# scenarios


async def storm(work: Work, port: int, duration: float, concurrency: int, seed: int) -> dict[str, Any]:
    """Many drivers at once: each virtual driver takes the next submitted manifest, picks it up,
    and drops it off (in-transit manifests from before are dropped off first)."""
    stats = Stats()
    queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
    drops = [("dropoff", m) for m in work.pools.get("in_transit", [])]
    picks = [("pickup", m) for m in work.pools.get("submitted", [])]
    for k in range(max(len(drops), len(picks))):  # interleaved: the morning's pickups and the loads arriving
        for lst in (picks, drops):
            if k < len(lst):
                queue.put_nowait(lst[k])
    deadline = time.perf_counter() + duration

    async def driver(k: int) -> None:
        rng = random.Random(seed * 1000 + k)
        conn = Conn(port)
        try:
            while time.perf_counter() < deadline and stats.requests < MAX_REQUESTS:
                try:
                    action, m = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                status = await scan(work, stats, conn, m, action, rng)
                if action == "pickup" and status == 201 and time.perf_counter() < deadline:
                    await scan(work, stats, conn, m, "dropoff", rng)
        finally:
            conn.close()

    t = time.perf_counter()
    await asyncio.gather(*(driver(k) for k in range(concurrency)))
    out = stats.summary(time.perf_counter() - t)
    out["scans_per_s"] = round(sum(out["ops"].get(op, {}).get("ok", 0) for op in ("pickup", "dropoff")) / out["duration_s"], 1)
    out["exhausted"] = queue.empty()
    return out


async def tracks(work: Work, port: int, duration: float, concurrency: int, seed: int) -> dict[str, Any]:
    """Phones (or terminal platforms) sending their tracks: each virtual sender posts batches of
    60 points for its own load in transit, closed loop. Points are 1 ms apart so a run of
    seconds stays within the server's clock-skew allowance."""
    stats = Stats()
    loads = list(work.pools.get("in_transit", []))
    if not loads:
        return {"error": "no loads in transit"}
    deadline = time.perf_counter() + duration
    added = [0]
    base = datetime.now(UTC) - timedelta(minutes=5)

    async def sender(k: int) -> None:
        rng = random.Random(seed * 1000 + k)
        conn = Conn(port)
        m = loads[k % len(loads)]
        drv, _ = driver_for(work, m, rng)
        lon, lat = m["pickup"]
        b = 0
        try:
            while time.perf_counter() < deadline and stats.requests < MAX_REQUESTS:
                pts = [
                    {
                        "recorded_at": (base + timedelta(milliseconds=(k // len(loads)) * 1_000_000 + b * 60 + j)).isoformat(),
                        "lon": round(lon + (b * 60 + j) * 1e-6, 7),
                        "lat": lat,
                        "accuracy_m": 8.0,
                        "speed_kmh": 50.0,
                    }
                    for j in range(60)
                ]
                status, data = await call(
                    stats, conn, "track_batch", "POST", f"/api/v1/tracks/{m['id']}/points", work.auth(drv), {"points": pts}
                )
                if status == 201 and data:
                    added[0] += int(data["added"])
                b += 1
        finally:
            conn.close()

    t = time.perf_counter()
    await asyncio.gather(*(sender(k) for k in range(concurrency)))
    out = stats.summary(time.perf_counter() - t)
    out["points_added"] = added[0]
    out["points_per_s"] = round(added[0] / out["duration_s"], 1)
    return out


async def rate(work: Work, port: int, duration: float, per_s: float, seed: int) -> dict[str, Any]:
    """Scans at a fixed rate (open loop). Latency counts from the scheduled send time."""
    stats = Stats()
    rng = random.Random(seed)
    todo = [("dropoff", m) for m in work.pools.get("in_transit", [])] + [("pickup", m) for m in work.pools.get("submitted", [])]
    rng.shuffle(todo)
    conns: asyncio.Queue[Conn] = asyncio.Queue()
    for _ in range(32):
        conns.put_nowait(Conn(port))
    n = min(len(todo), int(duration * per_s))
    t_start = time.perf_counter() + 0.05

    async def one(i: int) -> None:
        action, m = todo[i]
        due = t_start + i / per_s
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        conn = await conns.get()
        try:
            await scan(work, stats, conn, m, action, rng, t0=due, retry=0.0)
        finally:
            conns.put_nowait(conn)

    await asyncio.gather(*(one(i) for i in range(n)))
    out = stats.summary(time.perf_counter() - t_start)
    lat = [x for op in ("pickup", "dropoff") for x in stats.latencies[op]]
    out["target_per_s"] = per_s
    out["scans"] = latency_summary(lat)
    while not conns.empty():
        conns.get_nowait().close()
    return out


def regulator_ops(work: Work, rng: random.Random) -> dict[str, tuple[str, str, uuid.UUID]]:
    today = clock.today()
    city = work.regulators[330400]
    county = rng.choice(JIAXING_COUNTIES)
    year_ago = today - timedelta(days=365)
    ops = {
        "alert_queue": ("GET", f"/api/v1/alerts?county={county}&status=open&status=acknowledged&limit=50", city),
        "flows": ("GET", f"/api/v1/stats/flows?date_from={year_ago}&date_to={today}", city),
        "kpis": ("GET", f"/api/v1/stats/kpis?date_from={today - timedelta(days=30)}&date_to={today}", city),
        "manifest_list": ("GET", "/api/v1/manifests?limit=50", work.big_generator_user),
    }
    if work.alert_ids:
        ops["alert_detail"] = ("GET", f"/api/v1/alerts/{rng.choice(work.alert_ids)}", city)
    return ops


async def regulator(work: Work, port: int, duration: float, concurrency: int, seed: int) -> dict[str, Any]:
    """Each regulator query in turn, ``duration`` seconds each, ``concurrency`` clients."""
    out: dict[str, Any] = {}
    rng = random.Random(seed)
    for op in ["alert_queue", "alert_detail", "flows", "kpis", "manifest_list", "manifest_list_page2"]:
        stats = Stats()
        deadline = time.perf_counter() + duration

        async def client(op: str = op, stats: Stats = stats, deadline: float = deadline) -> None:
            conn = Conn(port)
            cursor: str | None = None
            try:
                while time.perf_counter() < deadline and stats.requests < MAX_REQUESTS:
                    ops = regulator_ops(work, rng)
                    if op == "manifest_list_page2":
                        method, path, user = ops["manifest_list"]
                        if cursor is None:
                            _, body = await call(Stats(), conn, "x", method, path, work.auth(user))
                            cursor = (body or {}).get("next_cursor")
                            if cursor is None:
                                return
                        path = f"{path}&cursor={cursor}"
                    elif op not in ops:
                        return
                    else:
                        method, path, user = ops[op]
                    await call(stats, conn, op, method, path, work.auth(user))
            finally:
                conn.close()

        t = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        s = stats.summary(time.perf_counter() - t)
        out[op] = s["ops"].get(op, {}) | {"errors": s["errors"], "error_samples": s["error_samples"]}
    return out


async def mixed(work: Work, port: int, duration: float, concurrency: int, seed: int) -> dict[str, Any]:
    """A working day in proportion: per 100 operations about 8 filings (draft + submit), 22
    pickups, 22 drop-offs, 12 receipts, 8 disposals and 28 reads (regulators' queue, alert
    details, flows, KPIs; an enterprise's manifest list)."""
    stats = Stats()
    pools = {k: list(v) for k, v in work.pools.items()}
    for v in pools.values():
        random.Random(seed).shuffle(v)
    weights = {
        "file": 8,
        "pickup": 22,
        "dropoff": 22,
        "receive": 12,
        "dispose": 8,
        "alert_queue": 10,
        "alert_detail": 5,
        "flows": 3,
        "kpis": 3,
        "manifest_list": 7,
    }
    ops, cum = list(weights), []
    acc = 0
    for w in weights.values():
        acc += w
        cum.append(acc)
    deadline = time.perf_counter() + duration
    today = str(clock.today())

    def take(status: str) -> dict[str, Any] | None:
        p = pools.get(status)
        return p.pop() if p else None

    async def worker(k: int) -> None:
        rng = random.Random(seed * 7919 + k)
        conn = Conn(port)
        try:
            while time.perf_counter() < deadline and stats.requests < MAX_REQUESTS:
                x = rng.random() * cum[-1]
                op = next(o for o, c in zip(ops, cum, strict=True) if x < c)
                if op == "file" and work.templates:
                    t = rng.choice(work.templates)
                    st, body = await call(
                        stats,
                        conn,
                        "file_draft",
                        "POST",
                        "/api/v1/manifests",
                        work.auth(t["user"]) | {"Idempotency-Key": uuid.uuid4().hex},
                        t["body"],
                    )
                    if st == 201:
                        await call(
                            stats,
                            conn,
                            "file_submit",
                            "POST",
                            f"/api/v1/manifests/{body['id']}/submit",
                            work.auth(t["user"]) | {"Idempotency-Key": uuid.uuid4().hex},
                        )
                elif op in ("pickup", "dropoff"):
                    m = take("submitted" if op == "pickup" else "in_transit")
                    if m is None:
                        continue
                    if await scan(work, stats, conn, m, op, rng) == 201:
                        pools.setdefault("in_transit" if op == "pickup" else "delivered", []).insert(0, m)
                elif op == "receive":
                    m = take("delivered")
                    if m is None or not m["lines"]:
                        continue
                    user = work.receivers.get(m["receiver"])
                    body = {
                        "decision": "accepted",
                        "lines": [{"line_no": no, "quantity": kg, "unit": "kg"} for no, kg in m["lines"]],
                    }
                    st, res = await call(
                        stats,
                        conn,
                        "receive",
                        "POST",
                        f"/api/v1/manifests/{m['id']}/receive",
                        work.auth(user) | {"Idempotency-Key": uuid.uuid4().hex},
                        body,
                    )
                    if st == 200:
                        m["accepted"] = str(res.get("accepted_kg") or sum(float(kg) for _, kg in m["lines"]))
                        pools.setdefault("received", []).insert(0, m)
                elif op == "dispose":
                    m = take("received")
                    if m is None or not m.get("accepted"):
                        continue
                    user = work.receivers.get(m["receiver"])
                    body = {"method_code": m["method"], "disposed_on": today, "quantity": m["accepted"], "unit": "kg"}
                    await call(
                        stats,
                        conn,
                        "dispose",
                        "POST",
                        f"/api/v1/manifests/{m['id']}/dispose",
                        work.auth(user) | {"Idempotency-Key": uuid.uuid4().hex},
                        body,
                    )
                else:
                    ro = regulator_ops(work, rng)
                    if op in ro:
                        method, path, user = ro[op]
                        await call(stats, conn, op, method, path, work.auth(user))
        finally:
            conn.close()

    t = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(concurrency)))
    return stats.summary(time.perf_counter() - t)


async def bare(port: int, duration: float, concurrency: int, per_s: float | None) -> dict[str, Any]:
    """The baseline endpoint: closed loop at ``concurrency``, or open loop at ``per_s``."""
    stats = Stats()
    if per_s:
        n = int(duration * per_s)
        conns: asyncio.Queue[Conn] = asyncio.Queue()
        for _ in range(16):
            conns.put_nowait(Conn(port))
        t_start = time.perf_counter() + 0.05

        async def one(i: int) -> None:
            due = t_start + i / per_s
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            conn = await conns.get()
            try:
                await call(stats, conn, "insert", "POST", "/insert", {}, {"payload": f"row {i}"}, t0=due)
            finally:
                conns.put_nowait(conn)

        await asyncio.gather(*(one(i) for i in range(n)))
        return stats.summary(time.perf_counter() - t_start)
    deadline = time.perf_counter() + duration

    async def client(k: int) -> None:
        conn = Conn(port)
        i = 0
        try:
            while time.perf_counter() < deadline and stats.requests < MAX_REQUESTS:
                i += 1
                await call(stats, conn, "insert", "POST", "/insert", {}, {"payload": f"client {k} row {i}"})
        finally:
            conn.close()

    t = time.perf_counter()
    await asyncio.gather(*(client(k) for k in range(concurrency)))
    return stats.summary(time.perf_counter() - t)


def run_phase(phase: dict[str, Any], port: int, db: str, secret: str) -> dict[str, Any]:
    """One scenario; the bench database is read afresh first (earlier phases used up manifests)."""
    name = phase["scenario"]
    duration = float(phase.get("duration", 10.0))
    concurrency = int(phase.get("concurrency", 32))
    seed = int(phase.get("seed", 1))
    t = time.perf_counter()
    if name == "bare":
        per_s = float(phase["rate"]) if phase.get("open_loop") else None
        result = asyncio.run(bare(port, duration, concurrency, per_s))
    else:
        work = load_work(db, secret)
        setup_s = time.perf_counter() - t
        started = time.time()
        if name == "rate":
            result = asyncio.run(rate(work, port, duration, float(phase.get("rate", 50.0)), seed))
        else:
            fn = {"storm": storm, "mixed": mixed, "regulator": regulator, "tracks": tracks}[name]
            result = asyncio.run(fn(work, port, duration, concurrency, seed))
        result["setup_s"] = round(setup_s, 2)
        result["pools"] = {k: len(v) for k, v in work.pools.items()}
        result["wall_start"] = started
    result["wall_end"] = time.time()
    result["wall_start"] = result.get("wall_start", result["wall_end"] - duration)
    result["scenario"] = name
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="waste-tracker load generator (127.0.0.1 only)")
    p.add_argument("scenario", help="storm | rate | mixed | regulator | bare | tracks, or a JSON file with a list of phases")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--db", default="waste_tracker_bench")
    p.add_argument("--secret", default=BENCH_SECRET)
    p.add_argument("--duration", type=float, default=10.0)
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--rate", type=float, default=50.0)
    p.add_argument("--open-loop", action="store_true", help="bare: fixed rate instead of closed loop")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default=None)
    args = p.parse_args(argv)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    if args.scenario in ("storm", "rate", "mixed", "regulator", "bare", "tracks"):
        phases = [
            {
                "name": args.scenario,
                "scenario": args.scenario,
                "duration": args.duration,
                "concurrency": args.concurrency,
                "rate": args.rate,
                "open_loop": args.open_loop,
                "seed": args.seed,
            }
        ]
    else:
        with open(args.scenario) as f:
            phases = json.load(f)
    results = {ph.get("name", ph["scenario"]): run_phase(ph, args.port, args.db, args.secret) for ph in phases}
    result = results[phases[0].get("name", phases[0]["scenario"])] if len(phases) == 1 else results
    text = json.dumps(result, indent=2, default=str)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
