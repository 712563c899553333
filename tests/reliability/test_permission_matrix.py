"""The permission matrix, generated from the app's route table: every route x every role x own
vs another organisation's object -> the expected allow or deny.

A route without a declared policy (``x-permission``) or without an entry here fails the test, so
no endpoint can be added without saying who may call it. "Deny" means 401/403/404 (or a redirect
to the log-in page for web pages); "allow" means anything else below 500 — a 409 or 422 there is a
business answer given to someone entitled to ask.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.manifest.conftest import World, build_world, today
from waste_tracker import clock
from waste_tracker.alerts.store import raise_alert
from waste_tracker.auth.service import create_api_key, principal_for
from waste_tracker.config import Settings
from waste_tracker.declaration import service as declarations_service
from waste_tracker.ledger import service as ledger
from waste_tracker.manifest import exemption_requests, exemptions, service
from waste_tracker.manifest.commands import Draft
from waste_tracker.models import Licence, User
from waste_tracker.plan import service as plans_service
from waste_tracker.registry.uscc import make_uscc
from waste_tracker.track import approved_routes, tickets, zones

PERSONAS = [
    "anonymous",
    "generator",
    "carrier",
    "driver",
    "receiver",
    "county_regulator",
    "city_regulator",
    "admin",
    "auditor",
]
ROLE_OF = {
    "generator": "enterprise",
    "carrier": "enterprise",
    "receiver": "enterprise",
    "driver": "driver",
    "county_regulator": "regulator",
    "city_regulator": "regulator",
    "admin": "admin",
    "anonymous": "anonymous",
    "auditor": "auditor",  # a third-party firm's user: only the routes that name it (api/deps.py:refuse_undeclared)
}
REGS = {"county_regulator", "city_regulator"}
PARTIES = {"generator", "carrier", "driver", "receiver"}
ENTERPRISES = {"generator", "carrier", "receiver"}
AUTHED = set(PERSONAS) - {"anonymous", "auditor"}
FIGURES: dict[str, int] = {}


def walk_routes(app) -> list[APIRoute]:  # type: ignore[no-untyped-def]
    out: list[APIRoute] = []

    def walk(routes) -> None:  # type: ignore[no-untyped-def]
        for r in routes:
            if isinstance(r, APIRoute):
                out.append(r)
            elif hasattr(r, "original_router"):
                walk(r.original_router.routes)
            elif getattr(r, "routes", None):
                walk(r.routes)

    walk(app.routes)
    return out


@dataclass
class Ctx:
    w: World
    users: dict[str, User | None]
    own_manifest: str
    foreign_manifest: str
    fresh: Callable[..., Any]
    own_alert: int
    foreign_alert: int
    own_exemption: str
    foreign_exemption: str
    own_keys: dict[str, str]
    foreign_key: str
    own_org: dict[str, str]
    own_site: dict[str, str]
    foreign_org: str
    foreign_site: str
    foreign_carrier: str
    own_permit: str
    foreign_permit: str
    nanhu_receiver_site: str
    licence: str
    own_container: tuple[str, str]  # (id, identification code)
    foreign_container: tuple[str, str]
    own_plan: str
    foreign_plan: str
    own_declaration: str
    foreign_declaration: str
    zone: str
    route: str
    tickets: dict[str, str]  # a ticket with a photo: the generator's, the receiver's, a foreign one
    fresh_request: Callable[..., Any]  # a pending exemption request (own generator's, or a foreign one's)
    samples: dict[str, str] = field(default_factory=dict)  # audit samples: own (city, w.generator drawn), foreign (Haining)
    fresh_sample: Callable[..., Any] | None = None  # a new audit sample (own: the city's; foreign: Haining's)
    audit_attachment: str = ""
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))


async def build_ctx(s: AsyncSession) -> Ctx:
    w = await build_world(s)
    admin = await f.user(s, role="admin")
    settings = Settings(env="test")
    # Another city's enterprises: a generator, a carrier and a manifest between them (Hangzhou).
    og = await f.organisation(s, roles=["generator"], region="330109")
    og_site = await f.site(s, org=og, county=330109, at=(120.35, 30.18))
    og_user = await f.user(s, org=og)
    oc = await f.organisation(s, roles=["carrier"], region="330109")
    foreign_permit = await f.permit(s, org=oc)
    own_permit = await f.permit(s, org=w.carrier)  # a second one, for revocation probes
    depot = await f.site(s, org=w.carrier, county=330402, at=(120.78, 30.73))
    nanhu_rcv = await f.organisation(s, roles=["receiver"])
    nanhu_rcv_site = await f.site(s, org=nanhu_rcv, county=330402, at=(120.80, 30.74))
    gen_p = await principal_for(s, w.gen_user, settings)
    og_p = await principal_for(s, og_user, settings)
    admin_p = await principal_for(s, admin, settings)

    oc_truck = await f.vehicle(s, org=oc, permit_id=foreign_permit.id)
    oc_driver = await principal_for(s, await f.user(s, role="driver", org=oc), settings)
    own_driver = await principal_for(s, w.driver, settings)

    async def fresh(foreign: bool = False, picked_up: bool = False) -> str:
        if foreign:
            body = w.body(generator_site_id=og_site.id, carrier_org_id=oc.id, receiver_site_id=w.far_site.id)
            actor = og_p
        else:
            body = w.body(generator_site_id=w.gen_site.id, carrier_org_id=w.carrier.id, receiver_site_id=w.rcv_site.id)
            actor = gen_p
        body["planned_pickup_date"] = today()
        m = await service.create_draft(s, actor, Draft.of(body))
        await service.submit(s, actor, m.id)
        if picked_up:
            from tests.conftest import TEST_SECRET
            from waste_tracker.scan import service as scans
            from waste_tracker.scan.tokens import make_token

            assert m.number is not None
            await scans.scan(
                s,
                oc_driver if foreign else own_driver,
                secret=TEST_SECRET,
                token=make_token(TEST_SECRET, m.id, m.number),
                action="pickup",
                lon=None,
                lat=None,
                accuracy_m=None,
                device_time=None,
                vehicle_plate=(oc_truck if foreign else w.truck).plate,
                quantity_kg=None,
                geofence_m=500.0,
            )
        return str(m.id)

    own_m, foreign_m = await fresh(), await fresh(foreign=True)
    from waste_tracker.models import Manifest

    alerts = []
    for mid in (own_m, foreign_m):
        m = await s.get(Manifest, uuid.UUID(mid))
        alerts.append(
            await raise_alert(
                s,
                rule_id="long_distance",
                subject_key=f"manifest:{mid}",
                severity="warning",
                rank=1,
                evidence={"number": m.number},
                signature={"x": 1},
                now=m.created_at,
                manifest=m,
            )
        )
    ex_own = await exemptions.grant(
        s,
        admin_p,
        scope="cross_city",
        generator_org_id=w.generator.id,
        receiver_site_id=w.far_site.id,
        waste_codes=["900-249-08"],
        quantity_cap_kg=Decimal(1000),
        valid_from=today(),
        valid_to=today() + timedelta(days=30),
        reason="matrix",
    )
    ex_foreign = await exemptions.grant(
        s,
        admin_p,
        scope="cross_city",
        generator_org_id=og.id,
        receiver_site_id=w.rcv_site.id,
        waste_codes=["900-249-08"],
        quantity_cap_kg=Decimal(1000),
        valid_from=today(),
        valid_to=today() + timedelta(days=30),
        reason="matrix",
    )
    auditor = await f.user(s, role="auditor")
    users = {
        "auditor": auditor,
        "anonymous": None,
        "generator": w.gen_user,
        "carrier": w.carrier_user,
        "driver": w.driver,
        "receiver": w.rcv_user,
        "county_regulator": w.nanhu_regulator,
        "city_regulator": w.city_regulator,
        "admin": admin,
    }
    own_keys = {}
    for p, u in users.items():
        if u is not None:
            key, _ = await create_api_key(s, await principal_for(s, u, settings), "matrix")
            own_keys[p] = str(key.id)
    foreign_key, _ = await create_api_key(s, og_p, "other")
    own_org = {
        "generator": w.generator.id,
        "carrier": w.carrier.id,
        "driver": w.carrier.id,
        "receiver": w.receiver.id,
        "county_regulator": w.generator.id,
        "city_regulator": w.generator.id,
        "admin": w.generator.id,
        "anonymous": w.generator.id,
        "auditor": w.generator.id,
    }
    own_site = {
        "generator": w.gen_site.id,
        "carrier": depot.id,
        "driver": depot.id,
        "receiver": w.rcv_site.id,
        "county_regulator": w.gen_site.id,
        "city_regulator": w.gen_site.id,
        "admin": w.gen_site.id,
        "anonymous": w.gen_site.id,
        "auditor": w.gen_site.id,
    }
    containers = {}
    plans = {}
    declarations = {}
    last_month = (today().replace(day=1) - timedelta(days=1)).replace(day=1)
    for side, actor, site in (("own", gen_p, w.gen_site), ("foreign", og_p, og_site)):
        (ct,) = await ledger.register(
            s,
            actor,
            site.id,
            [
                ledger.Generation(
                    waste_code="900-249-08",
                    physical_form="liquid",
                    container_type="200 L 钢桶",
                    gross_kg=Decimal(190),
                    net_kg=Decimal(180),
                    storage_facility="暂存间",
                    generated_on=today(),
                )
            ],
        )
        containers[side] = (str(ct.id), ct.identification_code)
        body = {
            "wastes": [{"waste_code": "900-249-08", "physical_form": "liquid", "expected_t": "150"}],
            "transfers": [
                {"receiver_site_id": str(w.rcv_site.id), "method_code": "D10", "waste_codes": ["900-249-08"], "expected_t": "150"}
            ],
        }
        plan = await plans_service.create(s, actor, site_id=site.id, year=today().year, kind="hazardous", body=body)
        await plans_service.submit(s, actor, plan.id)
        plans[side] = str(plan.id)
        d = await declarations_service.submit(s, actor, site.id, "month", last_month)
        declarations[side] = str(d.id)
    (zone,) = await zones.import_zones(
        s, admin_p, {"type": "Polygon", "coordinates": [ZONE_RING]}, kind="other", name="矩阵", valid_from=today(), valid_to=None
    )
    route = await approved_routes.register(
        s,
        admin_p,
        pickup_site_id=w.gen_site.id,
        receiver_site_id=w.rcv_site.id,
        geojson={"type": "LineString", "coordinates": [list(f.POINTS[330402]), list(f.POINTS[330411])]},
        valid_from=today(),
    )
    photo = b"\x89PNG\r\n\x1a\n matrix"
    ticket_ids = {}
    for who, site, side, actor in (
        ("generator", w.gen_site, "generator", gen_p),
        ("receiver", w.rcv_site, "receiver", await principal_for(s, w.rcv_user, settings)),
        ("foreign", og_site, "generator", og_p),
    ):
        t = tickets.TicketIn("浙FD1001", Decimal(10500), Decimal(9000), Decimal(1500), clock.now(), "", photo)
        (made,) = await tickets.post_tickets(s, actor, site.id, side, [t])
        ticket_ids[who] = str(made.id)

    async def fresh_request(foreign: bool = False) -> str:
        r = await exemption_requests.request(
            s,
            og_p if foreign else gen_p,
            generator_site_id=og_site.id if foreign else w.gen_site.id,
            receiver_site_id=w.general_site.id if not foreign else w.rcv_site.id,
            waste_codes=["SW07"],
            quantity_kg=Decimal(5000),
            valid_from=today(),
            valid_to=today() + timedelta(days=30),
            reason="矩阵",
        )
        return str(r.id)

    # Audit sampling: w.generator is a key unit (its plan expects 150 t), drawn by the city; the
    # auditor is assigned for a week; Haining draws its own sample (the foreign one).
    from waste_tracker.audit import service as audits

    city_p = await principal_for(s, w.city_regulator, settings)
    haining_p = await principal_for(s, w.haining_regulator, settings)

    async def fresh_sample(foreign: bool = False) -> str:
        cmd = audits.DrawCommand(period_from=today() - timedelta(days=30), period_to=today(), rate=Decimal(1), seed="matrix")
        return str((await audits.draw(s, haining_p if foreign else city_p, cmd)).id)

    own_sample, foreign_sample = await fresh_sample(), await fresh_sample(foreign=True)
    await audits.assign(
        s, city_p, uuid.UUID(own_sample), auditor_id=auditor.id, valid_from=today(), valid_to=today() + timedelta(days=7)
    )
    finding = await audits.record_finding(
        s,
        await principal_for(s, auditor, settings),
        uuid.UUID(own_sample),
        organisation_id=w.generator.id,
        severity="info",
        text_="矩阵",
        attachments=[audits.AttachmentIn("a.pdf", b"%PDF-1.4 matrix")],
    )
    (attachment,) = (await audits.attachments_of(s, [finding.id]))[finding.id]
    return Ctx(
        samples={"own": own_sample, "foreign": foreign_sample},
        fresh_sample=fresh_sample,
        audit_attachment=str(attachment.id),
        w=w,
        users=users,
        fresh_request=fresh_request,
        zone=str(zone.id),
        route=str(route.id),
        tickets=ticket_ids,
        own_container=containers["own"],
        foreign_container=containers["foreign"],
        own_plan=plans["own"],
        foreign_plan=plans["foreign"],
        own_declaration=declarations["own"],
        foreign_declaration=declarations["foreign"],
        own_manifest=own_m,
        foreign_manifest=foreign_m,
        fresh=fresh,
        own_alert=alerts[0],
        foreign_alert=alerts[1],
        own_exemption=str(ex_own.id),
        foreign_exemption=str(ex_foreign.id),
        own_keys=own_keys,
        foreign_key=str(foreign_key.id),
        own_org={k: str(v) for k, v in own_org.items()},
        own_site={k: str(v) for k, v in own_site.items()},
        foreign_org=str(og.id),
        foreign_site=str(og_site.id),
        foreign_carrier=str(oc.id),
        own_permit=str(own_permit.id),
        foreign_permit=str(foreign_permit.id),
        nanhu_receiver_site=str(nanhu_rcv_site.id),
        licence=str((await s.execute(select(Licence.id).where(Licence.site_id == w.rcv_site.id))).scalar()),
    )


# --- expectations ------------------------------------------------------------------------------------


def anyone(p: str, own: bool) -> bool:
    return True


def authed(p: str, own: bool) -> bool:
    return p != "anonymous"


def only(*names: str, own_only: bool = False) -> Callable[[str, bool], bool]:
    allowed = set(names)
    return lambda p, own: p in allowed and (own or not own_only) or (p == "admin" and "admin" in allowed and not own_only)


def own_for(*names: str, admin_any: bool = True) -> Callable[[str, bool], bool]:
    """Allowed for these personas on their own objects; admins on any when ``admin_any``."""
    allowed = set(names)
    return lambda p, own: (p in allowed and own) or (admin_any and p == "admin")


@dataclass
class Probe:
    build: Callable[[Ctx, str, bool], Any]  # -> (path, json body or None); may be async
    expect: Callable[[str, bool], bool]
    ownership: bool = True  # False: the route has no object, probe once


def path(template: str, **fields: Callable[[Ctx, str, bool], Any]) -> Callable[[Ctx, str, bool], Any]:
    def build(c: Ctx, p: str, own: bool) -> tuple[str, None]:
        return template.format(**{k: fn(c, p, own) for k, fn in fields.items()}), None

    return build


def manifest_id(c: Ctx, p: str, own: bool) -> str:
    return c.own_manifest if own else c.foreign_manifest


def alert_id(c: Ctx, p: str, own: bool) -> int:
    return c.own_alert if own else c.foreign_alert


def fresh_action(action: str, body: Callable[[Ctx], dict] | None = None) -> Callable[[Ctx, str, bool], Any]:
    async def build(c: Ctx, p: str, own: bool) -> tuple[str, dict | None]:
        mid = await c.fresh(foreign=not own)
        return f"/api/v1/manifests/{mid}{action}", body(c) if body else None

    return build


def fresh_request_action(action: str, body: dict | None) -> Callable[[Ctx, str, bool], Any]:  # type: ignore[type-arg]
    async def build(c: Ctx, p: str, own: bool) -> tuple[str, dict | None]:  # type: ignore[type-arg]
        rid = await c.fresh_request(foreign=not own)
        return f"/api/v1/exemption-requests/{rid}{action}", body

    return build


def fresh_action_track() -> Callable[[Ctx, str, bool], Any]:
    """A batch of two points for a load just picked up (own: this carrier's; foreign: another's)."""

    async def build(c: Ctx, p: str, own: bool) -> tuple[str, dict]:
        mid = await c.fresh(foreign=not own, picked_up=True)
        now = clock.now()
        pts = [{"recorded_at": (now + timedelta(seconds=s)).isoformat(), "lon": 120.8, "lat": 30.7} for s in (1, 31)]
        return f"/api/v1/tracks/{mid}/points", {"points": pts}

    return build


def scan_build(c: Ctx, p: str, own: bool) -> Any:
    async def build() -> tuple[str, dict]:
        from tests.manifest.conftest import token_of

        mid = await c.fresh(foreign=not own)
        return "/api/v1/scans", {
            "token": token_of({"id": mid, "number": (await _number(c, mid))}),
            "action": "pickup",
            "vehicle_plate": c.w.truck.plate,
            "lon": 120.812,
            "lat": 30.719,
        }

    return build()


_SESSION: dict[str, AsyncSession] = {}


async def _number(c: Ctx, mid: str) -> str:
    from waste_tracker.models import Manifest

    m = await _SESSION["s"].get(Manifest, uuid.UUID(mid))
    return m.number


def body_only(route: str, body: Callable[[Ctx, str, bool], dict]) -> Callable[[Ctx, str, bool], Any]:
    return lambda c, p, own: (route, body(c, p, own))


def _uniq(c: Ctx) -> int:
    return next(c.counter)


def alert_action(action: str) -> Callable[[Ctx, str, bool], Any]:
    return lambda c, p, own: (f"/api/v1/alerts/{alert_id(c, p, own)}/{action}", {"note": "矩阵"})


def TICKET() -> dict[str, str]:  # noqa: N802 - a constant made fresh (the time moves)
    return {"plate": "浙FD1001", "gross_kg": "10500", "tare_kg": "9000", "net_kg": "1500", "weighed_at": clock.now().isoformat()}


ZONE_RING = [[120.7, 30.7], [120.71, 30.7], [120.71, 30.71], [120.7, 30.71], [120.7, 30.7]]
RECEIVE = {"decision": "accepted", "lines": [{"line_no": 1, "quantity": "1500"}]}
GEN = {
    "waste_code": "900-249-08",
    "physical_form": "liquid",
    "container_type": "200 L 钢桶",
    "gross_kg": "190",
    "net_kg": "180",
    "generated_on": str(today()),
    "storage_facility": "暂存间",
}


def container(c: Ctx, own: bool) -> tuple[str, str]:
    return c.own_container if own else c.foreign_container


def plan_id(c: Ctx, p: str, own: bool) -> str:
    return c.own_plan if own else c.foreign_plan


def last_month():  # type: ignore[no-untyped-def]
    return (today().replace(day=1) - timedelta(days=1)).replace(day=1)


# --- audit sampling (issue #15) ---------------------------------------------------------------------


def sample_id(c: Ctx, p: str, own: bool) -> str:
    return c.samples["own" if own else "foreign"]


async def _fresh_sample(c: Ctx, own: bool) -> str:
    assert c.fresh_sample is not None
    return str(await c.fresh_sample(foreign=not own))


def fresh_sample_action(action: str, body: dict[str, Any] | None) -> Callable[[Ctx, str, bool], Any]:
    async def build(c: Ctx, p: str, own: bool) -> tuple[str, dict[str, Any] | None]:
        return f"/api/v1/audit-samples/{await _fresh_sample(c, own)}{action}", body

    return build


# Reading a sample: the city (it drew the own one; Haining's is in its city), Nanhu (a sampled
# county), the assigned auditor (own only), admins.
SAMPLE_READERS = lambda p, own: p in ("city_regulator", "admin") or (own and p in ("county_regulator", "auditor"))  # noqa: E731
SAMPLE_UNITS = lambda p, own: own and p in ("city_regulator", "county_regulator", "admin", "auditor")  # noqa: E731
AUDIT_SPEC: dict[tuple[str, str], Probe] = {
    ("POST", "/api/v1/audit-samples"): Probe(
        body_only(
            "/api/v1/audit-samples",
            lambda c, p, o: {"period_from": str(today() - timedelta(days=30)), "period_to": str(today()), "seed": "m"},
        ),
        only(*REGS, "admin"),
        False,
    ),
    ("GET", "/api/v1/audit-samples"): Probe(path("/api/v1/audit-samples"), only(*REGS, "admin", "auditor"), False),
    ("GET", "/api/v1/audit-samples/{sample_id}"): Probe(path("/api/v1/audit-samples/{x}", x=sample_id), SAMPLE_READERS),
    ("POST", "/api/v1/audit-samples/{sample_id}/close"): Probe(
        fresh_sample_action("/close", {"reason": "矩阵"}), lambda p, own: p == "admin" or (own and p == "city_regulator")
    ),
    ("POST", "/api/v1/audit-samples/{sample_id}/assignments"): Probe(
        lambda c, p, own: (
            f"/api/v1/audit-samples/{sample_id(c, p, own)}/assignments",
            {"auditor_id": str(c.users["auditor"].id), "valid_from": str(today()), "valid_to": str(today())},  # type: ignore[union-attr]
        ),
        lambda p, own: p == "admin" or (own and p == "city_regulator"),
    ),
    ("GET", "/api/v1/audit-samples/{sample_id}/reads"): Probe(
        path("/api/v1/audit-samples/{x}/reads", x=sample_id),
        lambda p, own: p in ("city_regulator", "admin") or (own and p == "county_regulator"),
    ),
    ("GET", "/api/v1/audit-samples/{sample_id}/enterprises/{organisation_id}/manifests"): Probe(
        path("/api/v1/audit-samples/{x}/enterprises/{o}/manifests", x=sample_id, o=lambda c, p, own: str(c.w.generator.id)),
        SAMPLE_UNITS,
    ),
    ("GET", "/api/v1/audit-samples/{sample_id}/manifests/{manifest_id}"): Probe(
        path("/api/v1/audit-samples/{x}/manifests/{m}", x=lambda c, p, own: c.samples["own"], m=manifest_id), SAMPLE_UNITS
    ),
    ("GET", "/api/v1/audit-samples/{sample_id}/findings"): Probe(
        path("/api/v1/audit-samples/{x}/findings", x=sample_id), SAMPLE_READERS
    ),
    ("POST", "/api/v1/audit-samples/{sample_id}/findings"): Probe(
        lambda c, p, own: (
            f"/api/v1/audit-samples/{sample_id(c, p, own)}/findings",
            {"organisation_id": str(c.w.generator.id), "severity": "info", "text": "矩阵"},
        ),
        lambda p, own: own and p == "auditor",
    ),
    ("GET", "/api/v1/audit-attachments/{attachment_id}"): Probe(
        path("/api/v1/audit-attachments/{x}", x=lambda c, p, own: c.audit_attachment if own else str(uuid.uuid4())),
        SAMPLE_UNITS,
    ),
}


# The money (issue #15): one contract of the world's generator with its receiver (and a scan), one
# of a Hangzhou generator with a Hangzhou receiver; made once per context, on first use.
_MONEY: dict[int, dict[str, str]] = {}


async def _money(c: Ctx) -> dict[str, str]:
    if id(c) not in _MONEY:
        from waste_tracker.models import Contract, ContractFile

        s = _SESSION["s"]
        hz = await f.organisation(s, roles=["generator"], region="330109")
        await f.site(s, org=hz, county=330109, at=(120.36, 30.19))
        out = {}
        for key, gen, rcv in (("own", c.w.generator.id, c.w.receiver.id), ("foreign", hz.id, c.w.far_receiver.id)):
            row = Contract(
                kind="disposal",
                generator_org_id=gen,
                counterparty_org_id=rcv,
                waste_categories=["HW08"],
                valid_from=today(),
                valid_to=today() + timedelta(days=30),
                signed_on=today(),
                created_by=c.w.gen_user.id,
            )
            s.add(row)
            await s.flush()
            pdf = b"%PDF-1.4 matrix"
            import hashlib

            cf = ContractFile(
                contract_id=row.id,
                sha256=hashlib.sha256(pdf).hexdigest(),
                media_type="application/pdf",
                size=len(pdf),
                content=pdf,
                created_by=c.w.gen_user.id,
            )
            s.add(cf)
            await s.flush()
            out[key], out[key + "_file"] = str(row.id), str(cf.id)
        _MONEY[id(c)] = out
    return _MONEY[id(c)]


def contract_probe(action: str, body: Callable[[Ctx, str, bool], dict[str, Any] | None] | None = None) -> Callable[..., Any]:
    async def build(c: Ctx, p: str, own: bool) -> tuple[str, dict[str, Any] | None]:
        m = await _money(c)
        key = "own" if own else "foreign"
        url = f"/api/v1/contracts/{m[key]}{action}".replace("{file}", m[key + "_file"])
        return url, body(c, p, own) if body else None

    return build


def _contract_body(c: Ctx, p: str, own: bool) -> dict[str, Any]:
    return {
        "counterparty_org_id": str(c.w.receiver.id if own else c.w.far_receiver.id),
        "waste_categories": ["HW08"],
        "valid_from": str(today()),
        "valid_to": str(today() + timedelta(days=30)),
        "signed_on": str(today()),
    }


CONTRACT_READERS = lambda p, own: (own and p in {"generator", "receiver", *REGS}) or p == "admin"  # noqa: E731


SPEC: dict[tuple[str, str], Probe] = {
    ("GET", "/healthz"): Probe(path("/healthz"), anyone, False),
    ("GET", "/readyz"): Probe(path("/readyz"), anyone, False),
    ("POST", "/api/v1/auth/token"): Probe(path("/api/v1/auth/token"), anyone, False),
    ("GET", "/api/v1/auth/me"): Probe(path("/api/v1/auth/me"), authed, False),
    ("POST", "/api/v1/users"): Probe(
        body_only(
            "/api/v1/users",
            lambda c, p, o: {
                "username": f"matrix-{uuid.uuid4().hex[:8]}",
                "password": "kiln-ledger-42",
                "role": "regulator",
                "jurisdiction_adcode": 330481,
            },
        ),
        only("admin"),
        False,
    ),
    ("GET", "/api/v1/users"): Probe(path("/api/v1/users"), only("admin"), False),
    ("POST", "/api/v1/api-keys"): Probe(body_only("/api/v1/api-keys", lambda c, p, o: {"name": "k"}), authed, False),
    ("GET", "/api/v1/api-keys"): Probe(path("/api/v1/api-keys"), authed, False),
    ("POST", "/api/v1/auth/logout"): Probe(path("/api/v1/auth/logout"), authed, False),
    # a wrong current password is refused (403) for everyone: only "no 5xx" is judged here
    ("POST", "/api/v1/auth/password"): Probe(
        body_only("/api/v1/auth/password", lambda c, p, o: {"current_password": "x" * 12, "new_password": "y z" * 5}),
        anyone,
        False,
    ),
    ("POST", "/api/v1/auth/second-factor"): Probe(path("/api/v1/auth/second-factor"), authed, False),
    ("POST", "/api/v1/auth/second-factor/confirm"): Probe(
        body_only("/api/v1/auth/second-factor/confirm", lambda c, p, o: {"code": "000000"}), authed, False
    ),
    ("DELETE", "/api/v1/auth/second-factor"): Probe(
        body_only("/api/v1/auth/second-factor", lambda c, p, o: {"password": "x" * 12}), anyone, False
    ),
    # the account page's forms: without the form's CSRF field every caller is refused
    ("POST", "/account/password"): Probe(path("/account/password"), anyone, False),
    ("POST", "/account/second-factor"): Probe(path("/account/second-factor"), anyone, False),
    ("POST", "/account/second-factor/confirm"): Probe(path("/account/second-factor/confirm"), anyone, False),
    ("POST", "/account/second-factor/disable"): Probe(path("/account/second-factor/disable"), anyone, False),
    ("DELETE", "/api/v1/api-keys/{key_id}"): Probe(
        path("/api/v1/api-keys/{k}", k=lambda c, p, own: c.own_keys.get(p, c.foreign_key) if own else c.foreign_key),
        own_for(*AUTHED),
    ),
    ("GET", "/api/v1/jurisdictions"): Probe(path("/api/v1/jurisdictions"), authed, False),
    ("GET", "/api/v1/jurisdictions/locate"): Probe(path("/api/v1/jurisdictions/locate?lon=120.7&lat=30.7"), authed, False),
    ("GET", "/api/v1/jurisdictions/{adcode}"): Probe(path("/api/v1/jurisdictions/330400"), authed, False),
    ("GET", "/api/v1/waste-codes"): Probe(path("/api/v1/waste-codes?q=HW08"), authed, False),
    ("GET", "/api/v1/waste-codes/{code}"): Probe(path("/api/v1/waste-codes/900-249-08"), authed, False),
    ("GET", "/api/v1/method-codes"): Probe(path("/api/v1/method-codes"), authed, False),
    ("GET", "/api/v1/catalogue/editions"): Probe(path("/api/v1/catalogue/editions"), authed, False),
    ("POST", "/api/v1/organisations"): Probe(
        body_only(
            "/api/v1/organisations",
            lambda c, p, o: {"name": "矩阵测试公司", "uscc": make_uscc("330402", f"M{_uniq(c):08d}"), "roles": ["generator"]},
        ),
        only("admin"),
        False,
    ),
    ("GET", "/api/v1/organisations"): Probe(path("/api/v1/organisations"), authed, False),
    ("GET", "/api/v1/organisations/{org_id}"): Probe(
        path("/api/v1/organisations/{o}", o=lambda c, p, own: c.own_org[p] if own else c.foreign_org), own_for(*AUTHED)
    ),
    ("GET", "/api/v1/organisations/{org_id}/fleet"): Probe(
        path("/api/v1/organisations/{o}/fleet", o=lambda c, p, own: c.w.carrier.id), only(*ENTERPRISES, *REGS, "admin"), False
    ),
    ("POST", "/api/v1/organisations/{org_id}/identity"): Probe(
        lambda c, p, own: (
            f"/api/v1/organisations/{c.w.generator.id if own else c.foreign_org}/identity",
            {"name": f"矩阵更名{next(c.counter)}有限公司", "reason": "工商变更登记"},
        ),
        own_for(*REGS),  # a regulator where one of its sites is
    ),
    ("GET", "/api/v1/organisations/{org_id}/identity"): Probe(
        path("/api/v1/organisations/{o}/identity", o=lambda c, p, own: c.own_org[p] if own else c.foreign_org), own_for(*AUTHED)
    ),
    ("PATCH", "/api/v1/organisations/{org_id}"): Probe(
        lambda c, p, own: (f"/api/v1/organisations/{c.own_org[p] if own else c.foreign_org}", {"contact_name": "矩阵"}),
        own_for(*ENTERPRISES),
    ),
    ("POST", "/api/v1/sites"): Probe(
        lambda c, p, own: (
            "/api/v1/sites",
            {
                "organisation_id": c.own_org[p] if own else c.foreign_org,
                "name": "矩阵厂区",
                "location": {"type": "Point", "coordinates": [120.81, 30.72]},
            },
        ),
        own_for(*ENTERPRISES),
    ),
    ("GET", "/api/v1/sites"): Probe(path("/api/v1/sites"), authed, False),
    ("GET", "/api/v1/sites/{site_id}"): Probe(
        path("/api/v1/sites/{x}", x=lambda c, p, own: c.own_site[p] if own else c.foreign_site), own_for(*AUTHED)
    ),
    ("POST", "/api/v1/licences"): Probe(
        lambda c, p, own: (
            "/api/v1/licences",
            {
                "site_id": c.nanhu_receiver_site if own else str(c.w.far_site.id),
                "number": f"MATRIX-{uuid.uuid4().hex[:8]}",
                "waste_categories": ["HW08"],
                "method_codes": ["D10"],
                "annual_capacity_t": "100",
                "valid_from": str(today()),
                "valid_to": str(today() + timedelta(days=300)),
            },
        ),
        own_for(*REGS),
    ),
    ("GET", "/api/v1/licences"): Probe(path("/api/v1/licences"), authed, False),
    ("GET", "/api/v1/licences/{licence_id}"): Probe(path("/api/v1/licences/{x}", x=lambda c, p, o: c.licence), authed, False),
    ("POST", "/api/v1/permits"): Probe(
        lambda c, p, own: (
            "/api/v1/permits",
            {
                "organisation_id": str(c.w.carrier.id) if own else c.foreign_carrier,
                "number": f"P-{uuid.uuid4().hex[:8]}",
                "hazardous_allowed": True,
                "valid_from": str(today()),
                "valid_to": str(today() + timedelta(days=30)),
            },
        ),
        own_for("city_regulator"),  # the city-level authority of the carrier's home; not county regulators
    ),
    ("POST", "/api/v1/permits/{permit_id}/revoke"): Probe(
        lambda c, p, own: (f"/api/v1/permits/{c.own_permit if own else c.foreign_permit}/revoke", {"reason": "矩阵吊销"}),
        own_for("city_regulator"),
    ),
    ("GET", "/api/v1/permits"): Probe(path("/api/v1/permits"), authed, False),
    ("POST", "/api/v1/vehicles"): Probe(
        lambda c, p, own: (
            "/api/v1/vehicles",
            {
                "organisation_id": str(c.w.carrier.id) if own else c.foreign_carrier,
                "plate": f"浙F{uuid.uuid4().hex[:5].upper()}",
                "capacity_kg": 5000,
            },
        ),
        own_for("carrier"),
    ),
    ("GET", "/api/v1/vehicles"): Probe(path("/api/v1/vehicles"), authed, False),
    ("POST", "/api/v1/manifests"): Probe(
        lambda c, p, own: (
            "/api/v1/manifests",
            {**c.w.body(), "generator_site_id": str(c.w.gen_site.id) if own else c.foreign_site},
        ),
        own_for("generator", admin_any=False),
    ),
    ("GET", "/api/v1/manifests"): Probe(path("/api/v1/manifests"), authed, False),
    ("GET", "/api/v1/manifests/{manifest_id}"): Probe(path("/api/v1/manifests/{m}", m=manifest_id), own_for(*PARTIES, *REGS)),
    ("PATCH", "/api/v1/manifests/{manifest_id}"): Probe(
        fresh_action("", lambda c: {"notes": "x"}), own_for("generator", admin_any=False)
    ),
    ("DELETE", "/api/v1/manifests/{manifest_id}"): Probe(fresh_action(""), own_for("generator", admin_any=False)),
    ("POST", "/api/v1/manifests/{manifest_id}/submit"): Probe(fresh_action("/submit"), own_for("generator", admin_any=False)),
    ("POST", "/api/v1/manifests/{manifest_id}/cancel"): Probe(
        fresh_action("/cancel", lambda c: {"reason": "矩阵"}), own_for("generator", admin_any=False)
    ),
    ("POST", "/api/v1/manifests/{manifest_id}/receive"): Probe(
        fresh_action("/receive", lambda c: RECEIVE), own_for("receiver", admin_any=False)
    ),
    ("POST", "/api/v1/manifests/{manifest_id}/dispose"): Probe(
        fresh_action("/dispose", lambda c: {"method_code": "D10", "disposed_on": str(today()), "quantity": "1"}),
        own_for("receiver", admin_any=False),
    ),
    ("POST", "/api/v1/manifests/{manifest_id}/return"): Probe(
        fresh_action("/return", lambda c: {}), own_for("generator", admin_any=False)
    ),
    ("POST", "/api/v1/manifests/{manifest_id}/redirect"): Probe(
        fresh_action("/redirect", lambda c: {"receiver_site_id": str(c.w.rcv_site.id), "planned_method_code": "D10"}),
        own_for("generator", admin_any=False),
    ),
    ("GET", "/api/v1/manifests/{manifest_id}/containers"): Probe(
        path("/api/v1/manifests/{m}/containers", m=manifest_id), own_for(*PARTIES, *REGS)
    ),
    ("GET", "/api/v1/manifests/{manifest_id}/events"): Probe(
        path("/api/v1/manifests/{m}/events", m=manifest_id), own_for(*PARTIES, *REGS)
    ),
    ("GET", "/api/v1/manifests/{manifest_id}/verify"): Probe(
        path("/api/v1/manifests/{m}/verify", m=manifest_id), own_for(*PARTIES, *REGS)
    ),
    ("GET", "/api/v1/manifests/{manifest_id}/label.png"): Probe(
        path("/api/v1/manifests/{m}/label.png", m=manifest_id), own_for(*PARTIES, *REGS)
    ),
    ("GET", "/api/v1/manifests/{manifest_id}/label.svg"): Probe(
        path("/api/v1/manifests/{m}/label.svg", m=manifest_id), own_for(*PARTIES, *REGS)
    ),
    ("GET", "/api/v1/manifests/{manifest_id}/label"): Probe(
        path("/api/v1/manifests/{m}/label", m=manifest_id), own_for(*PARTIES, *REGS)
    ),
    ("POST", "/api/v1/scans"): Probe(scan_build, own_for("driver", admin_any=False)),
    ("POST", "/api/v1/exemptions"): Probe(
        lambda c, p, own: (
            "/api/v1/exemptions",
            {
                "scope": "cross_city",
                "generator_org_id": str(c.w.generator.id) if own else c.foreign_org,
                "receiver_site_id": str(c.w.far_site.id) if own else str(c.w.rcv_site.id),
                "waste_codes": ["900-249-08"],
                "quantity_cap": "1",
                "valid_from": str(today()),
                "valid_to": str(today() + timedelta(days=9)),
                "reason": "矩阵",
            },
        ),
        own_for("city_regulator"),
    ),
    ("GET", "/api/v1/exemptions"): Probe(path("/api/v1/exemptions"), authed, False),
    ("DELETE", "/api/v1/exemptions/{exemption_id}"): Probe(
        path("/api/v1/exemptions/{e}", e=lambda c, p, own: c.own_exemption if own else c.foreign_exemption),
        own_for("city_regulator"),
    ),
    ("GET", "/api/v1/alerts"): Probe(path("/api/v1/alerts"), authed, False),
    ("GET", "/api/v1/alerts/summary"): Probe(path("/api/v1/alerts/summary"), authed, False),
    ("GET", "/api/v1/notifications"): Probe(path("/api/v1/notifications"), authed, False),
    ("POST", "/api/v1/notifications/read"): Probe(lambda c, p, own: ("/api/v1/notifications/read", {"all": True}), authed, False),
    ("GET", "/api/v1/alerts/export.{fmt}"): Probe(path("/api/v1/alerts/export.csv"), authed, False),
    ("GET", "/api/v1/alerts/{alert_id}"): Probe(path("/api/v1/alerts/{a}", a=alert_id), own_for(*PARTIES, *REGS)),
    **{
        ("POST", f"/api/v1/alerts/{{alert_id}}/{a}"): Probe(alert_action(a), own_for(*REGS))
        for a in ("acknowledge", "resolve", "dismiss", "reopen", "comment")
    },
    ("POST", "/api/v1/alerts/{alert_id}/assign"): Probe(
        lambda c, p, own: (f"/api/v1/alerts/{alert_id(c, p, own)}/assign", {"assignee_id": str(c.w.nanhu_regulator.id)}),
        own_for(*REGS),
    ),
    ("GET", "/api/v1/rules"): Probe(path("/api/v1/rules"), authed, False),
    ("PATCH", "/api/v1/rules/{rule_id}"): Probe(
        body_only("/api/v1/rules/long_distance", lambda c, p, o: {"enabled": True}), only("city_regulator", "admin"), False
    ),
    ("GET", "/api/v1/rules/changes"): Probe(path("/api/v1/rules/changes"), only(*REGS, "admin"), False),
    ("POST", "/api/v1/sweep"): Probe(path("/api/v1/sweep"), only("admin"), False),
    ("GET", "/api/v1/stats/flows"): Probe(
        path(f"/api/v1/stats/flows?date_from={clock.today()}&date_to={clock.today()}"), only(*REGS, "admin"), False
    ),
    ("GET", "/api/v1/stats/flows/export.{fmt}"): Probe(
        path(f"/api/v1/stats/flows/export.csv?date_from={clock.today()}&date_to={clock.today()}"), only(*REGS, "admin"), False
    ),
    ("GET", "/api/v1/stats/kpis/export.{fmt}"): Probe(
        path(f"/api/v1/stats/kpis/export.xlsx?date_from={clock.today()}&date_to={clock.today()}"), only(*REGS, "admin"), False
    ),
    ("GET", "/api/v1/stats/kpis"): Probe(
        path(f"/api/v1/stats/kpis?date_from={clock.today()}&date_to={clock.today()}"), only(*REGS, "admin"), False
    ),
    # --- the cradle ---
    ("POST", "/api/v1/containers"): Probe(
        lambda c, p, own: ("/api/v1/containers", {"site_id": c.own_site[p] if own else c.foreign_site, "records": [GEN]}),
        own_for("generator", admin_any=False),
    ),
    ("GET", "/api/v1/containers"): Probe(path("/api/v1/containers"), authed, False),
    ("GET", "/api/v1/containers/balance"): Probe(
        path("/api/v1/containers/balance?site_id={x}", x=lambda c, p, own: c.own_site[p] if own else c.foreign_site),
        own_for(*ENTERPRISES, *REGS),
    ),
    ("GET", "/api/v1/containers/by-code/{code}"): Probe(
        path("/api/v1/containers/by-code/{x}", x=lambda c, p, own: container(c, own)[1]), own_for("generator", *REGS)
    ),
    **{
        ("GET", f"/api/v1/containers/{{container_id}}{tail}"): Probe(
            path(f"/api/v1/containers/{{x}}{tail}", x=lambda c, p, own: container(c, own)[0]), own_for("generator", *REGS)
        )
        for tail in ("", "/verify", "/label.svg", "/label.png")
    },
    ("POST", "/api/v1/containers/{container_id}/reweigh"): Probe(
        lambda c, p, own: (
            f"/api/v1/containers/{container(c, own)[0]}/reweigh",
            {"gross_kg": "190", "net_kg": "181", "reason": "复磅"},
        ),
        own_for("generator", admin_any=False),
    ),
    ("POST", "/api/v1/containers/handle-on-site"): Probe(
        lambda c, p, own: (
            "/api/v1/containers/handle-on-site",
            {"container_ids": [container(c, own)[0]], "method_code": "R9", "facility": "自建装置"},
        ),
        own_for("generator", admin_any=False),
    ),
    ("POST", "/api/v1/manifests/from-containers"): Probe(
        lambda c, p, own: (
            "/api/v1/manifests/from-containers",
            {
                **{k: v for k, v in c.w.body().items() if k != "lines"},
                "generator_site_id": str(c.w.gen_site.id) if own else c.foreign_site,
                "container_ids": [container(c, own)[0]],
            },
        ),
        own_for("generator", admin_any=False),
    ),
    ("POST", "/api/v1/plans"): Probe(
        lambda c, p, own: (
            "/api/v1/plans",
            {
                "site_id": c.own_site[p] if own else c.foreign_site,
                "year": today().year,
                "body": {"wastes": [{"waste_code": "900-249-08", "physical_form": "liquid", "expected_t": "5"}]},
            },
        ),
        own_for("generator", admin_any=False),
    ),
    ("GET", "/api/v1/plans"): Probe(path("/api/v1/plans"), authed, False),
    ("GET", "/api/v1/plans/{plan_id}"): Probe(path("/api/v1/plans/{x}", x=plan_id), own_for("generator", *REGS)),
    ("PUT", "/api/v1/plans/{plan_id}"): Probe(
        lambda c, p, own: (
            f"/api/v1/plans/{plan_id(c, p, own)}",
            {"body": {"wastes": [{"waste_code": "900-249-08", "physical_form": "liquid", "expected_t": "6"}]}, "reason": "x"},
        ),
        own_for("generator", admin_any=False),
    ),
    ("POST", "/api/v1/plans/{plan_id}/submit"): Probe(
        lambda c, p, own: (f"/api/v1/plans/{plan_id(c, p, own)}/submit", None), own_for("generator", admin_any=False)
    ),
    ("POST", "/api/v1/plans/{plan_id}/accept"): Probe(
        lambda c, p, own: (f"/api/v1/plans/{plan_id(c, p, own)}/accept", {}), own_for(*REGS)
    ),
    ("POST", "/api/v1/plans/{plan_id}/return"): Probe(
        lambda c, p, own: (f"/api/v1/plans/{plan_id(c, p, own)}/return", {"reason": "材料不全"}), own_for(*REGS)
    ),
    ("GET", "/api/v1/declarations/draft"): Probe(
        path(
            "/api/v1/declarations/draft?site_id={x}&period_kind=month&period_start={m}",
            x=lambda c, p, own: c.own_site[p] if own else c.foreign_site,
            m=lambda c, p, own: str(last_month()),
        ),
        own_for(*ENTERPRISES, *REGS),
    ),
    ("POST", "/api/v1/declarations"): Probe(
        lambda c, p, own: (
            "/api/v1/declarations",
            {
                "site_id": c.own_site[p] if own else c.foreign_site,
                "period_kind": "month",
                "period_start": str(last_month()),
                "reason": "更正",
            },
        ),
        own_for("generator", admin_any=False),
    ),
    ("GET", "/api/v1/declarations"): Probe(path("/api/v1/declarations"), authed, False),
    ("GET", "/api/v1/declarations/{declaration_id}"): Probe(
        path("/api/v1/declarations/{x}", x=lambda c, p, own: c.own_declaration if own else c.foreign_declaration),
        own_for("generator", *REGS),
    ),
    ("POST", "/api/v1/receiver-balances"): Probe(
        lambda c, p, own: (
            "/api/v1/receiver-balances",
            {
                "site_id": c.own_site[p] if own else c.foreign_site,
                "month": str(last_month()),
                "utilised_kg": "0",
                "disposed_kg": "1",
                "stored_end_kg": "0",
                "reason": "矩阵",
            },
        ),
        own_for("receiver", admin_any=False),
    ),
    ("GET", "/api/v1/receiver-balances"): Probe(path("/api/v1/receiver-balances"), authed, False),
    ("POST", "/api/v1/tracks/{manifest_id}/points"): Probe(fresh_action_track(), own_for("driver", "carrier", admin_any=False)),
    ("GET", "/api/v1/tracks/{manifest_id}"): Probe(path("/api/v1/tracks/{m}", m=manifest_id), own_for(*PARTIES, *REGS)),
    ("POST", "/api/v1/tickets"): Probe(
        lambda c, p, own: (
            "/api/v1/tickets",
            {
                "site_id": c.own_site[p] if own else c.foreign_site,
                "side": "receiver" if p == "receiver" else "generator",
                "tickets": [TICKET()],
            },
        ),
        own_for("generator", "receiver", admin_any=False),
    ),
    ("POST", "/api/v1/tickets/csv"): Probe(
        lambda c, p, own: (
            "/api/v1/tickets/csv",
            {
                "site_id": c.own_site[p] if own else c.foreign_site,
                "side": "receiver" if p == "receiver" else "generator",
                "csv": "plate,gross_kg,tare_kg,net_kg,weighed_at\n"
                + ",".join(TICKET()[k] for k in ("plate", "gross_kg", "tare_kg", "net_kg", "weighed_at"))
                + "\n",
            },
        ),
        own_for("generator", "receiver", admin_any=False),
    ),
    ("GET", "/api/v1/tickets"): Probe(path("/api/v1/tickets"), only(*ENTERPRISES, *REGS, "admin"), False),
    ("POST", "/api/v1/contracts"): Probe(
        body_only("/api/v1/contracts", lambda c, p, o: _contract_body(c, p, True)), only("generator"), False
    ),
    ("GET", "/api/v1/contracts"): Probe(path("/api/v1/contracts"), only(*ENTERPRISES, *REGS, "admin"), False),
    ("GET", "/api/v1/contracts/{contract_id}"): Probe(contract_probe(""), CONTRACT_READERS),
    ("POST", "/api/v1/contracts/{contract_id}/corrections"): Probe(
        contract_probe("/corrections", _contract_body), own_for("generator")
    ),
    ("POST", "/api/v1/contracts/{contract_id}/termination"): Probe(
        contract_probe("/termination", lambda c, p, o: {"terminated_on": str(today()), "reason": "matrix"}), own_for("generator")
    ),
    ("POST", "/api/v1/contracts/{contract_id}/files"): Probe(
        contract_probe("/files", lambda c, p, o: {"content_base64": "JVBERi0xLjQgbWF0cml4"}), own_for("generator", "receiver")
    ),
    ("GET", "/api/v1/contracts/{contract_id}/files/{file_id}"): Probe(contract_probe("/files/{file}"), CONTRACT_READERS),
    ("POST", "/api/v1/payments"): Probe(
        body_only(
            "/api/v1/payments",
            lambda c, p, o: {
                "amount": "100.00",
                "paid_on": str(today()),
                "payee_uscc": c.w.receiver.uscc,
                "payer_org_id": str(c.w.generator.id) if p == "receiver" else None,
            },
        ),
        only(*ENTERPRISES),
        False,
    ),
    ("GET", "/api/v1/payments"): Probe(path("/api/v1/payments"), only(*ENTERPRISES, *REGS, "admin"), False),
    ("POST", "/api/v1/payments/bank-csv"): Probe(
        body_only(
            "/api/v1/payments/bank-csv",
            lambda c, p, o: {
                "content_base64": "5Lqk5piT5pel5pyfLOmHkeminSzlr7nmlrnmiLflkI0KMjAyNi0wMS0wNSwxMDAs5p2O5ZubCg==",
                "dry_run": True,
            },
        ),
        only(*ENTERPRISES),
        False,
    ),
    ("POST", "/api/v1/invoices"): Probe(
        body_only(
            "/api/v1/invoices",
            lambda c, p, o: {
                "buyer_org_id": str(c.w.generator.id),
                "number": f"M{_uniq(c)}",
                "issued_on": str(today()),
                "amount": "100.00",
            },
        ),
        only("receiver", "carrier"),
        False,
    ),
    ("GET", "/api/v1/invoices"): Probe(path("/api/v1/invoices"), only(*ENTERPRISES, *REGS, "admin"), False),
    ("GET", "/api/v1/money/matching"): Probe(path("/api/v1/money/matching"), only(*ENTERPRISES, *REGS, "admin"), False),
    ("POST", "/api/v1/zones"): Probe(
        body_only(
            "/api/v1/zones",
            lambda c, p, o: {
                "geojson": {"type": "Polygon", "coordinates": [ZONE_RING]},
                "kind": "other",
                "name": "z",
                "valid_from": str(today()),
            },
        ),
        only(*REGS, "admin"),
        False,
    ),
    ("GET", "/api/v1/zones"): Probe(path("/api/v1/zones"), authed, False),
    ("POST", "/api/v1/zones/{zone_id}/retire"): Probe(
        lambda c, p, own: (f"/api/v1/zones/{c.zone}/retire", {"on": str(today())}), only(*REGS, "admin"), False
    ),
    ("POST", "/api/v1/routes"): Probe(
        body_only(
            "/api/v1/routes",
            lambda c, p, o: {
                "pickup_site_id": str(c.w.gen_site.id),
                "receiver_site_id": str(c.w.rcv_site.id),
                "geojson": {"type": "LineString", "coordinates": [list(f.POINTS[330402]), list(f.POINTS[330411])]},
                "valid_from": str(today()),
            },
        ),
        only(*REGS, "admin"),
        False,
    ),
    ("GET", "/api/v1/routes"): Probe(path("/api/v1/routes"), authed, False),
    ("POST", "/api/v1/routes/{route_id}/retire"): Probe(
        lambda c, p, own: (f"/api/v1/routes/{c.route}/retire", {"on": str(today())}), only(*REGS, "admin"), False
    ),
    ("GET", "/api/v1/tickets/{ticket_id}/photo"): Probe(
        path(
            "/api/v1/tickets/{x}/photo",
            x=lambda c, p, own: c.tickets["foreign"] if not own else c.tickets.get(p, c.tickets["generator"]),
        ),
        lambda p, own: (own and p in {"generator", "receiver", *REGS}) or p == "admin",
    ),
    ("POST", "/api/v1/exemption-requests"): Probe(
        body_only(
            "/api/v1/exemption-requests",
            lambda c, p, o: {
                "generator_site_id": str(c.w.gen_site.id),
                "receiver_site_id": str(c.w.general_site.id),
                "waste_codes": ["SW07"],
                "quantity": "5",
                "valid_from": str(today()),
                "valid_to": str(today() + timedelta(days=30)),
                "reason": "矩阵",
            },
        ),
        only("generator"),
        False,
    ),
    ("GET", "/api/v1/manifests/export.{fmt}"): Probe(path("/api/v1/manifests/export.csv"), authed, False),
    ("GET", "/api/v1/exemption-requests"): Probe(path("/api/v1/exemption-requests"), authed, False),
    ("POST", "/api/v1/exemption-requests/{request_id}/grant"): Probe(
        fresh_request_action("/grant", {"note": ""}), only(*REGS, "admin"), False
    ),
    ("POST", "/api/v1/exemption-requests/{request_id}/refuse"): Probe(
        fresh_request_action("/refuse", {"note": "矩阵"}), only(*REGS, "admin"), False
    ),
    ("POST", "/api/v1/exemption-requests/{request_id}/withdraw"): Probe(
        fresh_request_action("/withdraw", None), own_for("generator", admin_any=False)
    ),
    # the cradle's web pages that name an object
    ("GET", "/ledger/c/{container_id}"): Probe(
        path("/ledger/c/{x}", x=lambda c, p, own: container(c, own)[0]), own_for("generator", *REGS)
    ),
    ("GET", "/plans/{plan_id}"): Probe(path("/plans/{x}", x=plan_id), own_for("generator", *REGS)),
    ("GET", "/reg/balance/{site_id}"): Probe(
        path("/reg/balance/{x}", x=lambda c, p, own: str(c.w.gen_site.id) if own else c.foreign_site), own_for(*REGS)
    ),
    ("GET", "/declarations/draft"): Probe(
        path(
            "/declarations/draft?site_id={x}&kind=month&start={m}",
            x=lambda c, p, own: c.own_site[p] if own else c.foreign_site,
            m=lambda c, p, own: str(last_month()),
        ),
        own_for(*ENTERPRISES, *REGS),
    ),
    ("GET", "/api/v1/receivers/candidates"): Probe(
        path(
            "/api/v1/receivers/candidates?generator_site_id={s}&codes=900-249-08",
            s=lambda c, p, own: str(c.w.gen_site.id) if own else c.foreign_site,
        ),
        own_for("generator", *REGS),
    ),
    **AUDIT_SPEC,
}


# Web pages for one side of the business (finer than the role).
WEB_PARTY = {
    "/manifests/new": {"generator"},
    "/r": {"receiver"},
    "/r/balance": {"receiver"},
    "/ledger": {"generator"},
    "/ledger/manifest": {"generator"},
    "/plans/new": {"generator"},
    "/declarations": {"generator"},
    "/tickets": {"generator", "receiver"},
    "/exemptions": {"generator"},
    "/money": {"generator", "receiver"},
}


def web_expect(route: APIRoute) -> Callable[[str, bool], bool]:
    roles = set(route.openapi_extra["x-permission"]["roles"])
    if "anonymous" in roles:
        return anyone
    if route.path in WEB_PARTY:
        return lambda p, own: p in WEB_PARTY[route.path]
    if "{manifest_id}" in route.path:
        return lambda p, own: ROLE_OF[p] in roles and (own and (p in PARTIES or p in REGS) or p == "admin")
    if "{alert_id}" in route.path:
        return lambda p, own: ROLE_OF[p] in roles and (own or p == "admin")
    return lambda p, own: ROLE_OF[p] in roles


def web_build(route: APIRoute) -> Callable[[Ctx, str, bool], Any]:
    def build(c: Ctx, p: str, own: bool) -> tuple[str, None]:
        return route.path.replace("{manifest_id}", manifest_id(c, p, own)).replace("{alert_id}", str(alert_id(c, p, own))), None

    return build


async def test_permission_matrix(app, client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    _SESSION["s"] = session
    routes = walk_routes(app)
    undeclared = [
        f"{sorted(r.methods)} {r.path}" for r in routes if not (r.openapi_extra or {}).get("x-permission", {}).get("roles")
    ]
    assert not undeclared, f"routes without a declared policy (openapi_extra=permission(...)): {undeclared}"
    probes: dict[tuple[str, str], Probe] = {}
    missing = []
    for r in routes:
        for method in sorted(r.methods - {"HEAD"}):
            key = (method, r.path)
            if key in SPEC:
                probes[key] = SPEC[key]
            elif not r.path.startswith("/api/") and method == "GET":
                probes[key] = Probe(web_build(r), web_expect(r), "{" in r.path)
            elif not r.path.startswith("/api/") and "anonymous" in r.openapi_extra["x-permission"]["roles"]:
                probes[key] = Probe(path(r.path), anyone, False)
            else:
                missing.append(f"{method} {r.path}")
    assert not missing, f"routes without an entry in the permission matrix: {missing}"
    declared = {(m, r.path): set(r.openapi_extra["x-permission"]["roles"]) for r in routes for m in r.methods - {"HEAD"}}
    c = await build_ctx(session)
    from tests.conftest import TEST_SECRET
    from waste_tracker.auth.tokens import issue_access_token

    wrong: list[str] = []
    checks = 0
    for (method, tpl), probe in sorted(probes.items()):
        for persona in PERSONAS:
            for own in (True, False) if probe.ownership else (True,):
                built = probe.build(c, persona, own)
                if hasattr(built, "__await__"):
                    built = await built
                url, body = built
                user = c.users[persona]
                headers: dict[str, str] = {}
                cookies: dict[str, str] = {}
                if user is not None:
                    if tpl.startswith("/api/") or tpl in ("/healthz", "/readyz"):
                        headers = f.auth(user)
                    else:
                        cookies = {"wt_session": issue_access_token(user.id, user.role, TEST_SECRET, 60)[0]}
                client.cookies.clear()
                for k, v in cookies.items():
                    client.cookies.set(k, v)
                r = await client.request(method, url, json=body, headers=headers, follow_redirects=False)
                checks += 1
                assert r.status_code < 500, f"{method} {url} as {persona}: {r.status_code} {r.text[:200]}"
                denied = r.status_code in (401, 403, 404) or (
                    300 <= r.status_code < 400 and "login" in r.headers.get("location", "")
                )
                expected = probe.expect(persona, own)
                if persona == "auditor" and (method, tpl) not in AUDIT_SPEC:
                    # deny by default: an auditor reaches only the routes that name it
                    expected = "auditor" in declared[(method, tpl)]
                if probe.expect is anyone:
                    continue
                if expected == denied:
                    wrong.append(
                        f"{method} {tpl} as {persona} ({'own' if own else 'foreign'}): got {r.status_code}, "
                        f"expected {'allow' if expected else 'deny'} — {r.text[:120]}"
                    )
    client.cookies.clear()
    FIGURES.update(routes=len(probes), personas=len(PERSONAS), checks=checks)
    print(f"permission matrix: {len(probes)} routes x {len(PERSONAS)} roles x own/foreign = {checks} checks")
    assert not wrong, "\n".join(wrong)
