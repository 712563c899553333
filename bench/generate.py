"""Build a realistic city at a chosen scale, fast: registry, manifests in every status with their
hash-chained events, findings and alerts for a few percent of planted anomalies.

    .venv/bin/python -m bench.generate --manifests 100000 [--years 10] [--db waste_tracker_bench]

Everything goes in with COPY (``cursor.copy()``), several chunks in parallel processes, with the
secondary indexes dropped during the load and rebuilt afterwards. Each event's hash is computed
with ``waste_tracker.manifest.chain.event_hash`` and the manifest row is the fold of its events
with ``waste_tracker.manifest.lifecycle.evolve`` — the same code the application uses — so
``waste-tracker verify --all`` passes on generated data and the projection matches the log.
Event-rule alerts are produced with the rules' own pure checks (``waste_tracker.rules.checks``);
time-based alerts are left to the sweep, which runs once at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import multiprocessing
import os
import random
import sys
import time
import uuid
from bisect import bisect_left
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

import psycopg

from bench.common import BenchDb, bench_db
from waste_tracker import clock, localdb
from waste_tracker.alerts.store import signature_of
from waste_tracker.manifest.chain import GENESIS, event_hash
from waste_tracker.manifest.chain import _dumps as _chain_dumps
from waste_tracker.manifest.lifecycle import PROJECTED_FIELDS, ManifestState, evolve
from waste_tracker.registry.uscc import ALPHABET, make_uscc
from waste_tracker.rules import checks
from waste_tracker.rules.catalogue import RULES, SEVERITY_RANK

GENERATOR_VERSION = 3
JIAXING = {330402: 0.12, 330411: 0.12, 330421: 0.15, 330424: 0.12, 330481: 0.17, 330482: 0.15, 330483: 0.17}
OUT_OF_CITY = [330109]  # a Hangzhou receiver: registered, used only by planted cross-city attempts
PASSWORD = "bench-password-123"  # noqa: S105 - throwaway accounts in a throwaway database
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)

# Waste groups: what a receiver is licensed for and which codes its generators send.
GROUPS: dict[str, dict[str, Any]] = {
    "incin": {
        "kind": "hazardous",
        "categories": ["HW02", "HW04", "HW06", "HW08", "HW11", "HW12", "HW13", "HW16", "HW49", "HW50"],
        "methods": ["D10"],
        "forms": ["solid", "semi_solid", "liquid"],
        "containers": ["200 L 钢桶", "吨袋", "IBC 吨桶"],
    },
    "oil": {
        "kind": "hazardous",
        "categories": ["HW08", "HW09"],
        "methods": ["R9"],
        "forms": ["liquid"],
        "containers": ["200 L 钢桶", "IBC 吨桶"],
    },
    "solvent": {
        "kind": "hazardous",
        "categories": ["HW06", "HW12"],
        "methods": ["R2"],
        "forms": ["liquid"],
        "containers": ["200 L 钢桶"],
    },
    "landfill": {
        "kind": "hazardous",
        "categories": ["HW17", "HW18", "HW22", "HW31", "HW46", "HW48"],
        "methods": ["D1"],
        "forms": ["solid", "semi_solid"],
        "containers": ["吨袋"],
    },
    "general": {
        "kind": "general",
        "categories": ["SW07", "SW14", "SW17", "SW59"],
        "methods": ["R15"],
        "forms": ["solid", "semi_solid"],
        "containers": ["吨袋", "散装"],
    },
}
GENERATOR_GROUPS = {"incin": 0.40, "oil": 0.15, "solvent": 0.10, "landfill": 0.10, "general": 0.25}
INDUSTRIES = ["精细化工", "汽车零部件", "印染", "电镀", "涂装", "纸业", "紧固件", "皮革", "化纤", "电子", "医药", "新材料"]
BIG_GENERATOR_SHARE = 0.05  # one enterprise files 5 % of all manifests (50k at 1M)

# Per-manifest probabilities of the life's branches and of the planted anomalies (a few percent).
P_DELETED, P_CANCELLED, P_REJECTED = 0.005, 0.015, 0.004
P_LATE = {"pickup": 0.003, "transit": 0.003, "receipt": 0.003, "disposal": 0.003}
P_NEVER = 0.0005  # stuck for good at one stage: the sweep's open backlog
P_GEOFENCE, P_NO_LOCATION, P_QUANTITY, P_FAR_DROPOFF = 0.008, 0.003, 0.008, 0.002


# ---------------------------------------------------------------------------------------------
# small helpers


def uuid7_at(t: datetime, rng: random.Random) -> uuid.UUID:
    ms = int(t.timestamp() * 1000)
    rand = rng.getrandbits(74)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)


def dec3(v: Decimal | float) -> str:
    return f"{Decimal(str(v)):.3f}"


def jdump(v: Any) -> str:
    """JSON text for COPY: the chain's own compact encoder (built once, C) when the value is plain
    JSON, else json.dumps with str() for the rest."""
    try:
        return _chain_dumps(v)
    except TypeError:
        return json.dumps(v, ensure_ascii=False, default=str)


def shanghai_year_start(year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=clock.SHANGHAI)


def weighted(rng: random.Random, items: list[Any], cum: list[float]) -> Any:
    return items[bisect_left(cum, rng.random() * cum[-1])]


# ---------------------------------------------------------------------------------------------
# the registry: organisations, sites, licences, permits, vehicles, users


@dataclass
class SiteRec:
    id: uuid.UUID
    org: uuid.UUID
    lon: float
    lat: float
    county: int
    city: int
    name: str


@dataclass
class Receiver:
    org: uuid.UUID
    user: uuid.UUID
    site: SiteRec
    group: str
    licence_id: uuid.UUID
    licence_number: str
    methods: list[str]


@dataclass
class Carrier:
    org: uuid.UUID
    user: uuid.UUID
    hazardous: bool
    permit_id: uuid.UUID
    permit_number: str
    plates: list[str]
    drivers: list[uuid.UUID]


@dataclass
class Generator:
    org: uuid.UUID
    user: uuid.UUID
    site: SiteRec
    group: str
    codes: list[dict[str, Any]]
    carriers: list[int]
    receivers: list[int] = field(default_factory=list)
    receiver_cum: list[float] = field(default_factory=list)


@dataclass
class World:
    now: datetime
    start: datetime
    generators: list[Generator]
    gen_cum: list[float]
    carriers: list[Carrier]
    receivers: list[Receiver]
    distance: dict[tuple[uuid.UUID, uuid.UUID], float]
    regulators: list[uuid.UUID]
    sites: list[SiteRec]


class UsccBodies:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> str:
        self.n += 1
        n, digits = self.n, []
        for _ in range(7):
            digits.append(ALPHABET[n % 31])
            n //= 31
        return "MB" + "".join(reversed(digits))


def copy_rows(cur: psycopg.Cursor, table: str, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for r in rows:
            cp.write_row(r)


def random_points(conn: psycopg.Connection, county: int, n: int, seed: int) -> list[tuple[float, float]]:
    rows = conn.execute(
        "SELECT ST_X(p.geom), ST_Y(p.geom) FROM jurisdiction j, "
        "LATERAL ST_Dump(ST_GeneratePoints(ST_Buffer(j.geom, -0.004), %s, %s)) p WHERE j.adcode = %s",
        (n, seed, county),
    ).fetchall()
    return [(round(x, 6), round(y, 6)) for x, y in rows]


def insert_sites(conn: psycopg.Connection, sites: list[tuple[uuid.UUID, uuid.UUID, str, float, float, str]]) -> None:
    """Insert sites; like ``create_site``, the county is the one whose polygon covers the point."""
    if not sites:
        return
    conn.execute(
        """
        INSERT INTO site (id, organisation_id, name, address, location, county_adcode, city_adcode)
        SELECT s.id, s.org, s.name, s.address, ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326), c.adcode, c.parent_adcode
        FROM unnest(%s::uuid[], %s::uuid[], %s::text[], %s::float8[], %s::float8[], %s::text[])
             AS s(id, org, name, lon, lat, address)
        CROSS JOIN LATERAL (SELECT adcode, parent_adcode FROM jurisdiction WHERE level = 'county'
                            AND ST_Covers(geom, ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326))
                            ORDER BY adcode LIMIT 1) c
        """,
        tuple(list(x) for x in zip(*sites, strict=True)),
    )


def build_registry(conn: psycopg.Connection, n_manifests: int, seed: int, now: datetime, years: float) -> World:
    from waste_tracker.auth.passwords import hash_password

    rng = random.Random(seed)
    pw = hash_password(PASSWORD)
    bodies = UsccBodies()
    names = dict(conn.execute("SELECT adcode, name FROM jurisdiction WHERE level = 'county'").fetchall())
    start = now - timedelta(days=365.25 * years)
    valid_from, valid_to = (start - timedelta(days=400)).date(), (now + timedelta(days=5 * 365)).date()

    codes_by_cat: dict[str, list[dict[str, Any]]] = {}
    for code, cat, kind, desc, hz in conn.execute(
        "SELECT code, category_code, kind, description, hazard_characteristics FROM waste_code "
        "WHERE edition = '2021' ORDER BY code"
    ):
        codes_by_cat.setdefault(cat, []).append(
            {"code": code, "category": cat, "kind": kind, "description": desc[:80], "hazards": list(hz)}
        )

    n_gen = max(12, n_manifests // 400)
    n_car = max(4, n_manifests // 25000)
    n_haz_rcv = max(5, n_manifests // 60000)
    vehicles_per_carrier = max(2, min(12, 2 + n_manifests // 100000))

    orgs: list[tuple] = []
    users: list[tuple] = []
    licences: list[tuple] = []
    permits: list[tuple] = []
    vehicles: list[tuple] = []

    def org(name: str, roles: list[str], county: int, industry: str) -> uuid.UUID:
        oid = uuid7_at(start - timedelta(days=30), rng)
        orgs.append(
            (oid, name, make_uscc(str(county), bodies.next()), roles, industry, "张工", "0573-82000000", f"{names[county]}工业园")
        )
        return oid

    def user(username: str, role: str, org_id: uuid.UUID | None = None, adcode: int | None = None) -> uuid.UUID:
        uid = uuid7_at(start - timedelta(days=29), rng)
        users.append((uid, username, username.casefold(), username, pw, role, org_id, adcode, True, False, "zh-CN"))
        return uid

    # Points: enough per county for every site that may land there.
    counties = list(JIAXING)
    county_cum = list(accumulate(JIAXING.values()))
    pools: dict[int, list[tuple[float, float]]] = {
        c: random_points(conn, c, n_gen + n_haz_rcv + n_car + 20, seed + c) for c in [*counties, *OUT_OF_CITY]
    }

    def point(county: int) -> tuple[float, float]:
        return pools[county].pop()

    pending_sites: list[tuple[uuid.UUID, uuid.UUID, str, float, float, str]] = []

    def site(org_id: uuid.UUID, name: str, county: int) -> uuid.UUID:
        sid = uuid7_at(start - timedelta(days=29), rng)
        lon, lat = point(county)
        pending_sites.append((sid, org_id, name, lon, lat, f"{names[county]}工业园区"))
        return sid

    # receivers: one general-waste receiver per county (general waste may not leave its county),
    # hazardous ones spread over the city, and one in Hangzhou.
    rcv_specs: list[tuple[str, int]] = [("general", c) for c in counties]
    haz_groups = ["incin", "oil", "solvent", "landfill"]
    for i in range(n_haz_rcv):
        g = haz_groups[i % 4] if i < 4 else weighted(rng, haz_groups, list(accumulate([0.4, 0.2, 0.2, 0.2])))
        rcv_specs.append((g, weighted(rng, counties, county_cum)))
    rcv_specs.append(("incin", OUT_OF_CITY[0]))
    rcv_tmp = []
    for i, (g, county) in enumerate(rcv_specs):
        oid = org(
            f"{names[county]}{'固废利用' if g == 'general' else '危废处置'}{i + 1}有限公司", ["receiver"], county, "危险废物治理"
        )
        uid = user(f"rcv{i + 1:04d}", "enterprise", oid)
        sid = site(oid, f"处置中心{i + 1}", county)
        spec = GROUPS[g]
        lid = uuid7_at(start - timedelta(days=28), rng)
        number = f"{'浙危废经第' if spec['kind'] == 'hazardous' else '固废利用备'}{33040000 + i + 1}号"
        licences.append(
            (lid, sid, number, spec["kind"], [], spec["categories"], spec["methods"], Decimal(1_000_000), valid_from, valid_to)
        )
        rcv_tmp.append((oid, uid, sid, g, lid, number, spec["methods"], county))

    car_tmp = []
    plate_no = 0
    for i in range(n_car):
        county = weighted(rng, counties, county_cum)
        hazardous = i % 4 != 3
        oid = org(f"{names[county]}{'危险品' if hazardous else '普通货物'}运输{i + 1}有限公司", ["carrier"], county, "道路运输")
        uid = user(f"car{i + 1:04d}", "enterprise", oid)
        site(oid, f"车队场站{i + 1}", county)
        pid = uuid7_at(start - timedelta(days=28), rng)
        pnum = f"浙交运管许可嘉字{330400000000 + i + 1}号"
        permits.append((pid, oid, pnum, hazardous, valid_from, valid_to))
        plates, drivers = [], []
        for k in range(vehicles_per_carrier):
            plate_no += 1
            plate = f"浙F{'D' if hazardous else '3'}{plate_no:05d}"
            vehicles.append(
                (uuid7_at(start - timedelta(days=27), rng), oid, pid, plate, Decimal(rng.choice([10000, 15000, 20000])))
            )
            plates.append(plate)
            drivers.append(user(f"drv{i + 1:04d}-{k + 1:02d}", "driver", oid))
        car_tmp.append(Carrier(oid, uid, hazardous, pid, pnum, plates, drivers))

    gen_tmp = []
    grp_names = list(GENERATOR_GROUPS)
    grp_cum = list(accumulate(GENERATOR_GROUPS.values()))
    for i in range(n_gen):
        county = weighted(rng, counties, county_cum)
        g = "incin" if i == 0 else weighted(rng, grp_names, grp_cum)
        industry = rng.choice(INDUSTRIES)
        big = "集团" if i == 0 else ""
        oid = org(f"{names[county]}{industry}{big}{i + 1}有限公司", ["generator"], county, industry)
        uid = user(f"gen{i + 1:05d}", "enterprise", oid)
        sid = site(oid, f"{industry}厂区{i + 1}", county)
        cats = GROUPS[g]["categories"]
        pool = [c for cat in cats for c in codes_by_cat.get(cat, [])]
        codes = rng.sample(pool, k=min(len(pool), rng.choice([1, 2, 2, 3])))
        kind = GROUPS[g]["kind"]
        able = [j for j, c in enumerate(car_tmp) if c.hazardous or kind == "general"]
        gen_tmp.append((oid, uid, sid, g, codes, rng.sample(able, k=min(len(able), 2)), county))

    copy_rows(
        conn.cursor(),
        "organisation",
        ["id", "name", "uscc", "roles", "industry", "contact_name", "contact_phone", "address"],
        orgs,
    )
    insert_sites(conn, pending_sites)
    copy_rows(
        conn.cursor(),
        "app_user",
        [
            "id",
            "username",
            "username_key",
            "display_name",
            "password_hash",
            "role",
            "organisation_id",
            "jurisdiction_adcode",
            "is_active",
            "is_demo",
            "preferred_lang",
        ],
        users,
    )
    regulators = []
    for adcode in [330400, *counties]:
        uid = uuid7_at(start, rng)
        regulators.append(uid)
        conn.execute(
            "INSERT INTO app_user (id, username, username_key, display_name, password_hash, role, jurisdiction_adcode) "
            "VALUES (%s, %s, %s, %s, %s, 'regulator', %s)",
            (uid, f"reg-{adcode}", f"reg-{adcode}", f"监管 {adcode}", pw, adcode),
        )
    conn.execute(
        "INSERT INTO app_user (id, username, username_key, display_name, password_hash, role) "
        "VALUES (%s, 'bench-admin', 'bench-admin', 'bench admin', %s, 'admin')",
        (uuid7_at(start, rng), pw),
    )
    copy_rows(
        conn.cursor(),
        "licence",
        [
            "id",
            "site_id",
            "number",
            "kind",
            "waste_codes",
            "waste_categories",
            "method_codes",
            "annual_capacity_t",
            "valid_from",
            "valid_to",
        ],
        licences,
    )
    copy_rows(
        conn.cursor(),
        "transport_permit",
        ["id", "organisation_id", "number", "hazardous_allowed", "valid_from", "valid_to"],
        permits,
    )
    copy_rows(conn.cursor(), "vehicle", ["id", "organisation_id", "permit_id", "plate", "capacity_kg"], vehicles)

    sites = {
        r[0]: SiteRec(r[0], r[1], r[2], r[3], r[4], r[5], r[6])
        for r in conn.execute(
            "SELECT id, organisation_id, ST_X(location), ST_Y(location), county_adcode, city_adcode, name FROM site"
        )
    }
    receivers = [Receiver(o, u, sites[s], g, lid, num, meth) for (o, u, s, g, lid, num, meth, _) in rcv_tmp]
    gens = [Generator(o, u, sites[s], g, codes, cars) for (o, u, s, g, codes, cars, _) in gen_tmp]
    distance = {
        (a, b): float(d)
        for a, b, d in conn.execute(
            "SELECT g.id, r.id, ST_Distance(g.location::geography, r.location::geography) FROM site g, site r "
            "WHERE g.id = ANY(%s) AND r.id = ANY(%s)",
            ([g.site.id for g in gens], [r.site.id for r in receivers]),
        )
    }
    # Receivers a generator uses: its group's, in its county for general waste, nearest most often,
    # never out of the city (that needs an exemption).
    for g in gens:
        cand = [
            j
            for j, r in enumerate(receivers)
            if r.group == g.group and r.site.city == g.site.city and (g.group != "general" or r.site.county == g.site.county)
        ]
        if not cand:
            cand = [j for j, r in enumerate(receivers) if r.group == g.group and r.site.city == g.site.city]
        g.receivers = cand
        g.receiver_cum = list(accumulate(1.0 / (distance[(g.site.id, receivers[j].site.id)] / 1000 + 3) ** 2 for j in cand))
    weights = [BIG_GENERATOR_SHARE] + [(1 - BIG_GENERATOR_SHARE) / (len(gens) - 1)] * (len(gens) - 1)
    return World(now, start, gens, list(accumulate(weights)), car_tmp, receivers, distance, regulators, list(sites.values()))


# ---------------------------------------------------------------------------------------------
# one manifest: its life (event times), its events (hash-chained), its projection and alerts


M_COLUMNS = [
    "id",
    "number",
    "kind",
    "purpose",
    "catalogue_edition",
    "parent_manifest_id",
    "generator_org_id",
    "generator_site_id",
    "carrier_org_id",
    "receiver_org_id",
    "receiver_site_id",
    "pickup_site_id",
    "generator_county",
    "generator_city",
    "receiver_county",
    "receiver_city",
    "distance_m",
    "planned_method_code",
    "planned_pickup_date",
    "emergency_measures",
    "emergency_contact",
    "emergency_phone",
    "notes",
    "licence_id",
    "permit_id",
    "exemption_id",
    "created_by",
    "created_at",
    "last_hash",
    "number",
    "child_manifest_id",
    *PROJECTED_FIELDS,
]
M_COLUMNS = list(dict.fromkeys(M_COLUMNS))  # "number" once
E_COLUMNS = [
    "manifest_id",
    "seq",
    "type",
    "actor_user_id",
    "actor_org_id",
    "server_time",
    "device_time",
    "location",
    "accuracy_m",
    "vehicle_plate",
    "payload",
    "prev_hash",
    "hash",
]
L_COLUMNS = [
    "manifest_id",
    "line_no",
    "waste_code",
    "category_code",
    "kind",
    "description",
    "physical_form",
    "hazard_characteristics",
    "declared_kg",
    "container_type",
    "container_count",
    "received_kg",
    "accepted_kg",
]
F_COLUMNS = ["manifest_id", "event_seq", "code", "severity", "details", "created_at"]
A_COLUMNS = [
    "id",
    "rule_id",
    "subject_key",
    "manifest_id",
    "licence_id",
    "severity",
    "severity_rank",
    "status",
    "evidence",
    "signature",
    "generator_county",
    "receiver_county",
    "generator_org_id",
    "receiver_org_id",
    "carrier_org_id",
    "occurrences",
    "first_seen_at",
    "last_seen_at",
    "closed_at",
    "updated_at",
]
H_COLUMNS = ["alert_id", "at", "actor_user_id", "action", "old_status", "new_status", "note", "details"]
TABLES = {
    "manifest": M_COLUMNS,
    "manifest_line": L_COLUMNS,
    "manifest_event": E_COLUMNS,
    "finding": F_COLUMNS,
    "alert": A_COLUMNS,
    "alert_history": H_COLUMNS,
}


@dataclass
class Rows:
    manifest: list[tuple] = field(default_factory=list)
    manifest_line: list[tuple] = field(default_factory=list)
    manifest_event: list[tuple] = field(default_factory=list)
    finding: list[tuple] = field(default_factory=list)
    alert: list[tuple] = field(default_factory=list)
    alert_history: list[tuple] = field(default_factory=list)

    def copy_into(self, conn: psycopg.Connection) -> None:
        cur = conn.cursor()
        for table, cols in TABLES.items():
            copy_rows(cur, table, cols, getattr(self, table))


@dataclass
class Step:
    type: str
    at: datetime
    anomaly: str | None = None  # geofence | no_location | far | quantity (scan anomalies)


SWEEP_THRESHOLDS = {
    "pickup": ("not_picked_up", timedelta(days=30)),
    "transit": ("in_transit_too_long", timedelta(hours=24)),
    "receipt": ("delivered_not_received", timedelta(days=7)),  # ~5 working days
    "disposal": ("received_not_disposed", timedelta(days=90)),
}


def historical_life(
    rng: random.Random, created: datetime, submitted: datetime, now: datetime, fate: str
) -> tuple[list[Step], list[tuple]]:
    """The steps of one manifest filed at ``created`` and (if its ``fate`` is to be submitted)
    submitted at ``submitted``, cut at ``now``; plus the stages that ran late (for auto-resolved
    sweep alerts)."""
    steps = [Step("created", created)]
    late: list[tuple] = []
    if fate == "deleted":
        t = created + timedelta(minutes=rng.uniform(5, 300))
        if t < now:
            steps.append(Step("draft_deleted", t))
        return steps, late
    if fate == "draft":
        return steps, late
    steps.append(Step("submitted", submitted))
    if rng.random() < P_CANCELLED:
        t = submitted + timedelta(hours=rng.uniform(1, 72))
        if t < now:
            steps.append(Step("cancelled", t))
        return steps, late

    def stage(name: str, normal: tuple[float, float], unit: timedelta) -> timedelta | None:
        if rng.random() < P_NEVER / 4:
            return None
        if rng.random() < P_LATE[name]:
            rule, threshold = SWEEP_THRESHOLDS[name]
            return threshold * rng.uniform(1.05, 2.5)
        return unit * rng.uniform(*normal)

    t = submitted
    plan = [
        ("pickup", "picked_up", (2, 72), HOUR),
        ("transit", "dropped_off", (0.5, 6), HOUR),
        ("receipt", "received", (1, 48), HOUR),
        ("disposal", "disposed", (3, 45), DAY),
    ]
    rejected = rng.random() < P_REJECTED
    for name, etype, normal, unit in plan:
        d = stage(name, normal, unit)
        if d is None:
            return steps, late
        nxt = t + d
        if nxt >= now:
            return steps, late
        rule, threshold = SWEEP_THRESHOLDS[name]
        if d > threshold:
            late.append((rule, t, nxt))
        anomaly = None
        if etype in ("picked_up", "dropped_off"):
            x = rng.random()
            if x < P_GEOFENCE:
                anomaly = "geofence"
            elif x < P_GEOFENCE + P_NO_LOCATION:
                anomaly = "no_location"
            elif etype == "dropped_off" and x < P_GEOFENCE + P_NO_LOCATION + P_FAR_DROPOFF:
                anomaly = "far"
        if etype in ("picked_up", "received") and rng.random() < P_QUANTITY / 2:
            anomaly = (anomaly or "") + "+quantity"
        if etype == "received" and rejected:
            anomaly = (anomaly or "") + "+rejected"
        steps.append(Step(etype, nxt, anomaly))
        t = nxt
        if etype == "received" and rejected:
            for etype2, lo, hi, u in (
                ("return_requested", 1, 72, HOUR),
                ("return_picked_up", 2, 48, HOUR),
                ("returned", 0.5, 6, HOUR),
            ):
                t = t + u * rng.uniform(lo, hi)
                if t >= now:
                    return steps, late
                steps.append(Step(etype2, t))
            return steps, late
    return steps, late


def recent_life(rng: random.Random, target: str, now: datetime) -> list[Step]:
    """A manifest of today's work that has just reached ``target`` (no deadline passed yet)."""
    order = ["submitted", "picked_up", "dropped_off", "received"]
    upto = order.index(target) + 1
    t = now - timedelta(minutes=rng.uniform(60, 180))
    steps = [Step("created", t - timedelta(minutes=rng.uniform(10, 60)))]
    for etype in order[:upto]:
        steps.append(Step(etype, t))
        t += timedelta(minutes=rng.uniform(5, 15))
    return steps


class ManifestFactory:
    """Turns a life (steps) into rows. One per worker process; ids of alerts from ``alert_id0``."""

    def __init__(self, world: World, rng: random.Random, alert_id0: int) -> None:
        self.w = world
        self.rng = rng
        self.alert_id = alert_id0
        self.rows = Rows()

    def pick(self, big_share: bool = True) -> tuple[Generator, Receiver, Carrier]:
        w, rng = self.w, self.rng
        g = weighted(rng, w.generators, w.gen_cum) if big_share else rng.choice(w.generators[1:] or w.generators)
        r = w.receivers[weighted(rng, g.receivers, g.receiver_cum)]
        c = w.carriers[rng.choice(g.carriers)]
        return g, r, c

    def build(self, steps: list[Step], number: str | None, late: list[tuple] = (), picked: tuple | None = None) -> uuid.UUID:
        w, rng, rows = self.w, self.rng, self.rows
        g, r, c = picked or self.pick()
        created = steps[0].at
        mid = uuid7_at(created, rng)
        mid_s = str(mid)
        kind = GROUPS[g.group]["kind"]
        method = r.methods[0]
        dist = w.distance[(g.site.id, r.site.id)]
        # lines
        lines = []
        for no, code in enumerate(rng.sample(g.codes, k=1 if len(g.codes) == 1 or rng.random() < 0.7 else 2), start=1):
            kg = Decimal(rng.randrange(200, 8000)).quantize(Decimal("0.001"))
            lines.append(
                {
                    "line_no": no,
                    "waste_code": code["code"],
                    "category_code": code["category"],
                    "kind": code["kind"],
                    "description": code["description"],
                    "physical_form": rng.choice(GROUPS[g.group]["forms"]),
                    "hazard_characteristics": code["hazards"],
                    "declared_kg": kg,
                    "container_type": rng.choice(GROUPS[g.group]["containers"]),
                    "container_count": max(1, int(kg) // 250),
                }
            )
        declared = sum((ln["declared_kg"] for ln in lines), Decimal(0))
        planned = clock.local_date(steps[1].at if len(steps) > 1 else created) + timedelta(days=rng.choice([0, 0, 1, 2]))
        state = ManifestState()
        prev = GENESIS
        events: list[tuple] = []
        findings: list[tuple] = []
        alerts: dict[str, dict[str, Any]] = {}
        plate = rng.choice(c.plates)
        driver = c.drivers[c.plates.index(plate)]
        picked_kg: Decimal | None = None
        received_kg: Decimal | None = None
        line_received: dict[int, tuple[Decimal, Decimal]] = {}
        m_extra: dict[str, Any] = {"licence_id": None, "permit_id": None}

        def alert(rule_id: str, at: datetime, seq: int, etype: str, evidence: dict[str, Any], sig: dict[str, Any]) -> None:
            ev = {"number": state.number, "event_seq": seq, "event_type": etype, **evidence}
            a = alerts.get(rule_id)
            if a is None:
                alerts[rule_id] = {"first": at, "last": at, "evidence": ev, "sig": signature_of(sig), "n": 1}
            else:
                a.update(last=at, evidence=ev, sig=signature_of(sig), n=a["n"] + 1)

        for seq, st in enumerate(steps, start=1):
            t = st.at
            etype = st.type
            actor_user, actor_org = g.user, g.org
            loc = None
            acc = None
            device_time = None
            vplate = None
            payload: dict[str, Any]
            scan_findings: list[dict[str, Any]] = []
            if etype == "created":
                payload = {
                    "generator_site_id": ustr(g.site.id),
                    "carrier_org_id": ustr(c.org),
                    "receiver_site_id": ustr(r.site.id),
                    "planned_method_code": method,
                    "planned_pickup_date": str(planned),
                    "emergency_measures": "泄漏时用吸附棉围堵，严禁明火，立即报告。",
                    "emergency_contact": "王安全",
                    "emergency_phone": "0573-82000000",
                    "notes": "",
                    "kind": kind,
                    "declared_kg": dec3(declared),
                    "lines": [{**ln, "declared_kg": dec3(ln["declared_kg"])} for ln in lines],
                    "purpose": "transfer",
                    "parent_manifest_id": None,
                    "pickup_site_id": ustr(g.site.id),
                }
            elif etype == "draft_deleted":
                payload = {}
            elif etype == "submitted":
                m_extra.update(licence_id=r.licence_id, permit_id=c.permit_id)
                payload = {
                    "exemption": None,
                    "number": number,
                    "declared_kg": dec3(declared),
                    "distance_m": f"{Decimal(str(dist)):.1f}",
                    "licence_id": ustr(r.licence_id),
                    "licence_number": r.licence_number,
                    "permit_id": ustr(c.permit_id),
                    "permit_number": c.permit_number,
                    "generator_county": g.site.county,
                    "receiver_county": r.site.county,
                    "generator_city": g.site.city,
                    "receiver_city": r.site.city,
                }
            elif etype == "cancelled":
                payload = {"reason": "计划变更", "exemption_released_kg": None}
            elif etype in ("picked_up", "dropped_off", "return_picked_up", "returned"):
                actor_user, actor_org = driver, c.org
                pickup = etype in ("picked_up", "return_picked_up")
                site = {
                    "picked_up": g.site,
                    "dropped_off": r.site,
                    "return_picked_up": r.site,
                    "returned": g.site,
                }[etype]
                anomaly = st.anomaly or ""
                device_time = t - timedelta(seconds=rng.uniform(0.5, 30))
                vplate = plate
                if "no_location" in anomaly:
                    scan_findings.append({"code": "scan_without_location", "severity": "warning", "site_id": ustr(site.id)})
                else:
                    off = 0.0005
                    if "geofence" in anomaly:
                        off = rng.choice([0.012, 0.02, 0.03])
                    elif "far" in anomaly:
                        off = 0.05
                    lon = round(site.lon + rng.uniform(-off, off), 7)
                    lat = round(site.lat + rng.uniform(-off, off), 7)
                    loc = (lon, lat)
                    acc = Decimal(f"{rng.uniform(4, 30):.2f}")
                    d = _metres(site.lon, site.lat, lon, lat)
                    if d > 500:
                        scan_findings.append(
                            {
                                "code": "scan_outside_geofence",
                                "severity": "warning",
                                "site_id": ustr(site.id),
                                "distance_m": f"{d:.1f}",
                                "radius_m": "500.0",
                            }
                        )
                payload = {"action": "pickup" if pickup else "dropoff", "site_id": ustr(site.id), "findings": scan_findings}
                if etype == "picked_up" and rng.random() < 0.7:
                    factor = rng.uniform(0.82, 0.9) if "quantity" in anomaly else rng.uniform(0.99, 1.01)
                    picked_kg = (declared * Decimal(str(factor))).quantize(Decimal("0.001"))
                    payload["quantity_kg"] = dec3(picked_kg)
            elif etype == "received":
                actor_user, actor_org = r.user, r.org
                rejected = "rejected" in (st.anomaly or "")
                out = []
                tot_r = tot_a = Decimal(0)
                for ln in lines:
                    factor = rng.uniform(0.85, 0.9) if "quantity" in (st.anomaly or "") else rng.uniform(0.995, 1.005)
                    rec = (ln["declared_kg"] * Decimal(str(factor))).quantize(Decimal("0.001"))
                    accd = Decimal(0) if rejected else rec
                    line_received[ln["line_no"]] = (rec, accd)
                    tot_r += rec
                    tot_a += accd
                    out.append({"line_no": ln["line_no"], "received_kg": dec3(rec), "accepted_kg": dec3(accd)})
                received_kg = tot_r
                payload = {
                    "decision": "rejected" if rejected else "accepted",
                    "reason": "与申报不符，拒收" if rejected else None,
                    "lines": out,
                    "received_kg": dec3(tot_r),
                    "accepted_kg": dec3(tot_a),
                }
            elif etype == "disposed":
                actor_user, actor_org = r.user, r.org
                payload = {
                    "method_code": method,
                    "disposed_on": str(clock.local_date(t)),
                    "quantity_kg": dec3(state.accepted_kg),
                    "licence_number": r.licence_number,
                }
            elif etype == "return_requested":
                payload = {"note": "退回移出人"}
            else:  # pragma: no cover
                raise ValueError(etype)
            if etype in ("return_picked_up", "returned"):
                vplate = plate
            doc = {
                "manifest_id": mid_s,
                "seq": seq,
                "type": etype,
                "actor_user_id": ustr(actor_user),
                "actor_org_id": ustr(actor_org),
                "server_time": t,
                "device_time": device_time,
                "location": loc,
                "accuracy_m": acc,
                "vehicle_plate": vplate,
                "payload": payload,
                "prev_hash": prev,
            }
            h = event_hash(doc, payload_checked=True)  # our payloads: strings and integers only
            events.append(
                (
                    mid,
                    seq,
                    etype,
                    actor_user,
                    actor_org,
                    t,
                    device_time,
                    f"SRID=4326;POINT({loc[0]!r} {loc[1]!r})" if loc else None,
                    acc,
                    doc["vehicle_plate"],
                    jdump(payload),
                    prev,
                    h,
                )
            )
            prev = h
            state = evolve(
                state, {"type": etype, "seq": seq, "server_time": t, "payload": payload, "vehicle_plate": doc["vehicle_plate"]}
            )
            # event rules, through the rules' own checks
            for f in scan_findings:
                findings.append(
                    (mid, seq, f["code"], f["severity"], jdump({k: v for k, v in f.items() if k not in ("code", "severity")}), t)
                )
                scans = [{"event_seq": seq, **{k: v for k, v in f.items() if k not in ("code", "severity")}}]
                alert(f["code"], t, seq, etype, {"scans": scans}, {"seqs": [seq]})
            if etype == "submitted":
                e = checks.long_distance(kind, dist, RULES["long_distance"].defaults)
                if e:
                    alert("long_distance", t, seq, etype, e, {"distance": e["distance_km"], "threshold": e["threshold_km"]})
            if etype in ("picked_up", "received"):
                e = checks.quantity_discrepancy(
                    declared, picked_kg, received_kg if etype == "received" else None, RULES["quantity_discrepancy"].defaults
                )
                if e:
                    alert(
                        "quantity_discrepancy",
                        t,
                        seq,
                        etype,
                        e,
                        {k: e[k] for k in ("declared_kg", "picked_up_kg", "received_kg")},
                    )
            if etype == "dropped_off" and loc is not None:
                d = _metres(r.site.lon, r.site.lat, loc[0], loc[1])
                e = checks.dropoff_not_at_receiver(d, None, 500.0, RULES["dropoff_not_at_receiver"].defaults)
                if e:
                    e |= {"dropoff": {"type": "Point", "coordinates": [loc[0], loc[1]]}}
                    alert("dropoff_not_at_receiver", t, seq, etype, e, {"seq": seq, "reason": e["reason"]})

        last_t = steps[-1].at
        m = {
            "id": mid,
            "kind": kind,
            "purpose": "transfer",
            "catalogue_edition": "2021",
            "parent_manifest_id": None,
            "generator_org_id": g.org,
            "generator_site_id": g.site.id,
            "carrier_org_id": c.org,
            "receiver_org_id": r.org,
            "receiver_site_id": r.site.id,
            "pickup_site_id": g.site.id,
            "generator_county": g.site.county,
            "generator_city": g.site.city,
            "receiver_county": r.site.county,
            "receiver_city": r.site.city,
            "distance_m": dist,
            "planned_method_code": method,
            "planned_pickup_date": planned,
            "emergency_measures": "泄漏时用吸附棉围堵，严禁明火，立即报告。",
            "emergency_contact": "王安全",
            "emergency_phone": "0573-82000000",
            "notes": "",
            "exemption_id": None,
            "created_by": g.user,
            "created_at": created,
            "last_hash": prev,
            "child_manifest_id": None,
            **m_extra,
        }
        for k in PROJECTED_FIELDS:
            m[k] = getattr(state, k)
        m["status"] = str(state.status)
        m["number"] = state.number
        rows.manifest.append(tuple(m[k] for k in M_COLUMNS))
        for ln in lines:
            rec, accd = line_received.get(ln["line_no"], (None, None))
            rows.manifest_line.append(
                (
                    mid,
                    ln["line_no"],
                    ln["waste_code"],
                    ln["category_code"],
                    ln["kind"],
                    ln["description"],
                    ln["physical_form"],
                    ln["hazard_characteristics"],
                    ln["declared_kg"],
                    ln["container_type"],
                    ln["container_count"],
                    rec,
                    accd,
                )
            )
        rows.manifest_event.extend(events)
        rows.finding.extend(findings)
        parties = (g.site.county, r.site.county, g.org, r.org, c.org)
        for rule_id, a in alerts.items():
            self._alert_rows(rule_id, mid, a["first"], a["last"], a["evidence"], a["sig"], a["n"], parties, last_t)
        for rule_id, t0, t1 in late:
            first = t0 + SWEEP_THRESHOLDS[next(k for k, v in SWEEP_THRESHOLDS.items() if v[0] == rule_id)][1]
            if first < t1:
                ev = {"number": state.number, "late_stage": rule_id}
                self._alert_rows(
                    rule_id,
                    mid,
                    first,
                    first,
                    ev,
                    hashlib.md5(f"{mid}|{t0}".encode()).hexdigest(),
                    1,
                    parties,
                    t1,
                    resolved_at=t1,
                )
        return mid

    def _alert_rows(
        self,
        rule_id: str,
        mid: uuid.UUID,
        first: datetime,
        last: datetime,
        evidence: dict[str, Any],
        sig: str,
        n: int,
        parties: tuple,
        horizon: datetime,
        resolved_at: datetime | None = None,
    ) -> None:
        rng, now = self.rng, self.w.now
        rule = RULES[rule_id]
        self.alert_id += 1
        aid = self.alert_id
        hist = [(aid, first, None, "opened", None, "open", None, jdump(evidence))]
        status, closed = "open", None
        regulator = rng.choice(self.w.regulators)
        if resolved_at is not None:
            status, closed = "auto_resolved", resolved_at
            hist.append((aid, resolved_at, None, "auto_resolved", "open", "auto_resolved", "condition no longer holds", "{}"))
        else:
            old = now - first > timedelta(days=60)
            x = rng.random()
            if old:
                status = "resolved" if x < 0.6 else "dismissed" if x < 0.9 else "acknowledged" if x < 0.95 else "open"
            else:
                status = "open" if x < 0.6 else "acknowledged" if x < 0.85 else "resolved" if x < 0.95 else "dismissed"
            t = first + timedelta(hours=rng.uniform(2, 72))
            if status != "open":
                t = min(t, now - timedelta(minutes=1))
                hist.append((aid, t, regulator, "acknowledged", "open", "acknowledged", None, "{}"))
            if status in ("resolved", "dismissed"):
                t2 = min(t + timedelta(days=rng.uniform(0.5, 20)), now - timedelta(seconds=30))
                note = "已核实，企业已整改" if status == "resolved" else "误报：定位漂移"
                hist.append((aid, t2, regulator, status, "acknowledged", status, note, "{}"))
                closed = t2
        updated = max(h[1] for h in hist)
        self.rows.alert.append(
            (
                aid,
                rule_id,
                f"manifest:{mid}",
                mid,
                None,
                rule.severity,
                SEVERITY_RANK[rule.severity],
                status,
                jdump(evidence),
                sig,
                *parties,
                n,
                first,
                last,
                closed,
                max(updated, last),
            )
        )
        self.rows.alert_history.extend(hist)


_USTR: dict[uuid.UUID, str] = {}


def ustr(u: uuid.UUID | None) -> str | None:
    """str() of the few thousand organisation and user ids, cached (the chain hashes them as text)."""
    if u is None:
        return None
    s = _USTR.get(u)
    if s is None:
        s = _USTR[u] = str(u)
    return s


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Haversine distance (the generator only needs it to decide which findings a scan has; the
    stored distances come from PostGIS)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(a))


# ---------------------------------------------------------------------------------------------
# chunks in parallel processes

_WORLD: World | None = None


def _unit(seed: int, i: int, k: int) -> float:
    """A uniform number in [0, 1) fixed by (seed, i, k): splitmix64 of their combination."""
    z = (seed * 0x9E3779B97F4A7C15 + i * 0xBF58476D1CE4E5B9 + k * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return (z ^ (z >> 31)) / 2**64


def _init_worker(world: World) -> None:
    global _WORLD
    _WORLD = world


@dataclass(frozen=True)
class Plan:
    n: int
    start: datetime
    span_s: float
    seed: int
    conninfo: str

    def base(self, i: int) -> datetime:
        return self.start + timedelta(seconds=i * self.span_s / self.n)

    def submitted(self, i: int) -> datetime:
        return self.start + timedelta(seconds=(i + 0.75) * self.span_s / self.n)

    def fate(self, i: int, now: datetime) -> str:
        """Whether manifest ``i`` is thrown away, stays a draft or is submitted: fixed by (seed, i)
        alone, so the serials can be counted before the chunks are generated (they are gap-free,
        as the service's are, and verification checks that)."""
        if _unit(self.seed, i, 1) < P_DELETED:
            return "deleted"
        if now - self.base(i) < timedelta(days=3) and _unit(self.seed, i, 2) < 0.02:
            return "draft"
        return "draft" if self.submitted(i) >= now else "submitted"

    def first_serials(self, starts: list[int], now: datetime) -> list[dict[int, int]]:
        """For each chunk start, the last serial used per Shanghai year by the manifests before it."""
        out: list[dict[int, int]] = []
        used: dict[int, int] = {}
        wanted = set(starts)
        for i in range(self.n + 1):
            if i in wanted:
                out.append(dict(used))
            if i < self.n and self.fate(i, now) == "submitted":
                year = self.submitted(i).astimezone(clock.SHANGHAI).year
                used[year] = used.get(year, 0) + 1
        return out


def _chunk(plan: Plan, lo: int, hi: int, chunk_no: int, serials: dict[int, int]) -> dict[str, int]:
    world = _WORLD
    assert world is not None
    rng = random.Random(plan.seed * 1_000_003 + chunk_no)
    fac = ManifestFactory(world, rng, alert_id0=chunk_no * 1_000_000)
    step = plan.span_s / plan.n
    serials = dict(serials)
    for i in range(lo, hi):
        created = plan.base(i) + timedelta(seconds=rng.uniform(0, 0.5 * step))
        submitted = plan.submitted(i)
        steps, late = historical_life(rng, created, submitted, world.now, plan.fate(i, world.now))
        number = None
        if len(steps) > 1 and steps[1].type == "submitted":
            year = submitted.astimezone(clock.SHANGHAI).year
            serial = serials[year] = serials.get(year, 0) + 1
            if serial > 999_999:
                raise SystemExit(f"more than 999999 manifests in {year}: use more --years")
            number = f"{year:04d}3304{serial:06d}"
        fac.build(steps, number, late)
    with psycopg.connect(plan.conninfo) as conn:
        conn.execute("SET session_replication_role = replica")  # FK checks off: the rows are consistent by construction
        conn.execute("SET synchronous_commit = off")
        fac.rows.copy_into(conn)
    return {t: len(getattr(fac.rows, t)) for t in TABLES}


# ---------------------------------------------------------------------------------------------
# bulk-load plumbing: drop secondary indexes, COPY, rebuild


LOADED_TABLES = ["manifest", "manifest_line", "manifest_event", "finding", "alert", "alert_history"]


def drop_secondary_indexes(conn: psycopg.Connection) -> list[str]:
    """Drop the non-primary-key indexes and unique constraints of the loaded tables; return the
    statements that recreate them."""
    recreate: list[str] = []
    for table in LOADED_TABLES:
        for name, defn in conn.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'u'",
            (table,),
        ).fetchall():
            recreate.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {defn}')
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, defn in conn.execute(
            """SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
               WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)""",
            (table,),
        ).fetchall():
            recreate.append(defn)
            conn.execute(f'DROP INDEX "{name}"')
    return recreate


async def _reference_data(url: str) -> None:
    from sqlalchemy.ext.asyncio import AsyncSession

    from waste_tracker.db import make_async_engine
    from waste_tracker.geo.boundaries import bundled_files, load_files
    from waste_tracker.registry.catalogue import bundled_catalogue_files, import_file
    from waste_tracker.registry.jurisdictions import upsert_boundaries
    from waste_tracker.rules.settings import seed_rule_settings

    eng = make_async_engine(url, pool_size=1, max_overflow=0)
    try:
        async with eng.begin() as conn:
            session = AsyncSession(bind=conn)
            await upsert_boundaries(session, load_files(bundled_files()), "bench")
            for f in bundled_catalogue_files():
                await import_file(session, f)
            await seed_rule_settings(session)
            await session.flush()
    finally:
        await eng.dispose()


async def run_sweep_once(url: str) -> dict[str, Any]:
    from waste_tracker.db import make_async_engine, unit_of_work
    from waste_tracker.rules.sweep import run_sweep

    eng = make_async_engine(url, pool_size=1, max_overflow=0)
    try:
        async with unit_of_work(eng) as session:
            report = await run_sweep(session)
        return {"seconds": report.seconds, "rules": report.rules}
    finally:
        await eng.dispose()


def load_world(conn: psycopg.Connection) -> World:
    row = conn.execute("SELECT value FROM bench.meta WHERE key = 'world'").fetchone()
    import pickle

    return pickle.loads(bytes.fromhex(row[0]))  # noqa: S301 - our own pickle, in our own bench database


def top_up(db: BenchDb, counts: dict[str, int], seed: int | None = None) -> dict[str, int]:
    """Add today's work: manifests that have just been submitted (or picked up, dropped off,
    received), so scans, receipts and disposals have something to act on. Goes through normal
    COPY with triggers on (the flows roll-up follows), numbers from ``manifest_serial``."""
    made: dict[str, int] = {}
    with psycopg.connect(db.conninfo) as conn:
        world = load_world(conn)
        world.now = clock.now()
        rng = random.Random(seed if seed is not None else time.time_ns())
        next_alert = conn.execute("SELECT COALESCE(max(id), 0) + 1 FROM alert").fetchone()[0]
        fac = ManifestFactory(world, rng, alert_id0=next_alert + 10_000_000)
        total = sum(counts.values())
        if total == 0:
            return made
        year = world.now.astimezone(clock.SHANGHAI).year
        last = conn.execute(
            """INSERT INTO manifest_serial (prefecture, year, last_serial) VALUES ('3304', %s, %s)
               ON CONFLICT (prefecture, year) DO UPDATE SET last_serial = manifest_serial.last_serial + %s
               RETURNING last_serial""",
            (year, total, total),
        ).fetchone()[0]
        serial = last - total
        for target, n in counts.items():
            for _ in range(n):
                serial += 1
                fac.build(recent_life(rng, target, world.now), f"{year:04d}3304{serial:06d}", picked=fac.pick(big_share=False))
            made[target] = n
        fac.rows.alert.clear()  # today's work carries no planted anomalies
        fac.rows.alert_history.clear()
        fac.rows.finding.clear()
        fac.rows.copy_into(conn)
    return made


def generate(
    db: BenchDb, manifests: int, years: float = 10.0, seed: int = 1, workers: int | None = None, ready: int | None = None
) -> dict[str, Any]:
    """Drop and rebuild the bench database with ``manifests`` historical manifests (plus
    ``ready`` of today's work)."""
    from waste_tracker.migrate import upgrade

    t_all = time.perf_counter()
    timings: dict[str, float] = {}
    localdb.drop_database(db.cluster, db.name)
    localdb.create_database(db.cluster, db.name)
    t = time.perf_counter()
    upgrade(db.url)
    asyncio.run(_reference_data(db.url))
    timings["schema_and_reference_s"] = time.perf_counter() - t
    now = clock.now()
    t = time.perf_counter()
    with psycopg.connect(db.conninfo, autocommit=False) as conn:
        world = build_registry(conn, manifests, seed, now, years)
        conn.execute("CREATE SCHEMA IF NOT EXISTS bench")
        conn.execute("CREATE TABLE IF NOT EXISTS bench.meta (key text PRIMARY KEY, value text NOT NULL)")
        import pickle

        conn.execute("INSERT INTO bench.meta VALUES ('world', %s)", (pickle.dumps(world).hex(),))
        recreate = drop_secondary_indexes(conn)
        conn.commit()
    timings["registry_s"] = time.perf_counter() - t

    workers = workers or max(1, min(2, os.cpu_count() or 1))
    plan = Plan(manifests, world.start, (now - world.start).total_seconds(), seed, db.conninfo)
    chunk = 10_000 if manifests >= 100_000 else max(500, manifests // 4)
    starts = list(range(0, manifests, chunk))
    first = plan.first_serials(starts, now)
    bounds = [(lo, min(manifests, lo + chunk), k, first[k]) for k, lo in enumerate(starts)]
    t = time.perf_counter()
    totals: dict[str, int] = dict.fromkeys(TABLES, 0)
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(world,)) as ex:
        for done, counts in enumerate(ex.map(_chunk, [plan] * len(bounds), *zip(*bounds, strict=True)), start=1):
            for k, v in counts.items():
                totals[k] += v
            if done % 10 == 0 or done == len(bounds):
                print(
                    f"  {min(manifests, done * chunk):>10,} manifests  {time.perf_counter() - t:7.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
    timings["copy_s"] = time.perf_counter() - t

    t = time.perf_counter()
    with psycopg.connect(db.conninfo, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        for stmt in recreate:
            conn.execute(stmt)
        conn.execute("SELECT setval(pg_get_serial_sequence('alert', 'id'), (SELECT COALESCE(max(id), 1) FROM alert))")
        conn.execute(
            """INSERT INTO manifest_serial (prefecture, year, last_serial)
               SELECT substr(number, 5, 4), substr(number, 1, 4)::smallint, max(substr(number, 9)::int)
               FROM manifest WHERE number IS NOT NULL GROUP BY 1, 2
               ON CONFLICT (prefecture, year) DO UPDATE SET last_serial = EXCLUDED.last_serial"""
        )
        rebuild_rollups(conn)
    timings["indexes_s"] = time.perf_counter() - t

    ready = ready if ready is not None else min(20_000, max(1_000, manifests // 20))
    t = time.perf_counter()
    top_up(db, ready_mix(ready), seed=seed)
    timings["ready_s"] = time.perf_counter() - t
    t = time.perf_counter()
    sweep = asyncio.run(run_sweep_once(db.url))
    timings["first_sweep_s"] = time.perf_counter() - t
    t = time.perf_counter()
    with psycopg.connect(db.conninfo, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        conn.execute(
            "INSERT INTO bench.meta VALUES ('scale', %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            (json.dumps({"manifests": manifests, "years": years, "seed": seed, "version": GENERATOR_VERSION}),),
        )
        counts = {t_: conn.execute(f"SELECT count(*) FROM {t_}").fetchone()[0] for t_ in TABLES}
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    timings["vacuum_analyze_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - t_all
    return {
        "manifests": manifests,
        "years": years,
        "rows": counts,
        "database_mb": round(size / 2**20),
        "timings": {k: round(v, 2) for k, v in timings.items()},
        "first_sweep": sweep,
    }


def ready_mix(n: int) -> dict[str, int]:
    return {"submitted": int(n * 0.7), "picked_up": int(n * 0.1), "dropped_off": int(n * 0.1), "received": int(n * 0.1)}


def rebuild_rollups(conn: psycopg.Connection) -> None:
    """Recompute the maintained roll-ups from the manifests (the bulk load bypassed their triggers)."""
    try:
        from waste_tracker.stats.rollup import REBUILD_SQL
    except ImportError:  # before the roll-up existed
        return
    for stmt in REBUILD_SQL:
        conn.execute(stmt)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--manifests", type=int, default=100_000)
    p.add_argument("--years", type=float, default=10.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--ready", type=int, default=None, help="today's work to add (default manifests/20, 1k..20k)")
    p.add_argument("--db", default="waste_tracker_bench")
    args = p.parse_args(argv)
    db = bench_db(args.db)
    report = generate(db, args.manifests, args.years, args.seed, args.workers, args.ready)
    print(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    # Run as bench.generate (not __main__) so the pickled World names importable classes.
    from bench.generate import main as _main

    sys.exit(_main())
