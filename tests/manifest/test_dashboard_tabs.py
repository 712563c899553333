"""The manifest list's tabs and search (issue #14): a manifest is in "to act on" for a reader
exactly when the manifest page offers that reader a step (``describe``'s ``allowed_actions`` on
a side the reader is on, optional ones aside), for manifests in every status and every kind of
reader; the counts match the lists, in the list's own scope; one search box finds a manifest by a
part of its number, a party's name, a plate or a waste code."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.manifest.conftest import Flow, World, today
from waste_tracker.auth.principal import Principal
from waste_tracker.auth.service import principal_for
from waste_tracker.config import Settings
from waste_tracker.manifest import queries, tabs
from waste_tracker.manifest.access import party_of
from waste_tracker.manifest.lifecycle import CLOSED, Action, Status, side_of
from waste_tracker.manifest.tabs import Tab
from waste_tracker.models import Manifest, Organisation, Site, User, Vehicle
from waste_tracker.registry import organisations

TRANSIT_AT = (120.7500, 30.7950)  # between 南湖 and 秀洲


@dataclass
class Town:
    """Manifests in every status (and the table's conditional rows: an open remainder, a return
    manifest on the road, a load still to change hands and one that has), and who reads them."""

    w: World
    by_name: dict[str, dict[str, Any]]
    second: Organisation
    second_driver: User
    second_truck: Vehicle
    other: Organisation
    other_site: Site
    other_user: User
    admin: User


async def _ok(r: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    return body


async def build_town(client: httpx.AsyncClient, session: AsyncSession, w: World, flow: Flow) -> Town:
    gen = f.auth(w.gen_user)
    rcv_at = f.POINTS[330411]
    other = await f.organisation(session, roles=["receiver"], name="改送再生资源有限公司")
    other_site = await f.site(session, org=other, county=330424)
    await f.licence(session, site=other_site, categories=["HW08"], methods=["D10"])
    second = await f.organisation(session, roles=["carrier"], name="接力危运有限公司")
    p = await f.permit(session, org=second, hazardous=True)
    second_truck = await f.vehicle(session, org=second, permit_id=p.id)
    transit = await f.site(session, org=second, at=TRANSIT_AT, name="嘉兴中转站", kind="transit")
    second_driver = await f.user(session, role="driver", org=second)
    ms: dict[str, dict[str, Any]] = {}

    async def delivered() -> dict[str, Any]:
        m = await flow.delivered()
        rcv = tuple(m["receiver"]["location"]["coordinates"])
        assert rcv == pytest.approx(rcv_at, abs=0.01)
        return m

    async def dispose(m: dict[str, Any], kg: str) -> None:
        body = {"method_code": "D10", "disposed_on": str(today()), "quantity": kg}
        await _ok(await client.post(f"/api/v1/manifests/{m['id']}/dispose", headers=f.auth(w.rcv_user), json=body))

    ms["draft"] = await flow.create(w.general_body())  # SW07: the only general-waste manifest
    ms["deleted"] = await flow.create()
    await _ok(await client.delete(f"/api/v1/manifests/{ms['deleted']['id']}", headers=gen))
    ms["submitted"] = await flow.submitted()
    ms["cancelled"] = await flow.submitted()
    await _ok(await client.post(f"/api/v1/manifests/{ms['cancelled']['id']}/cancel", headers=gen, json={"reason": "计划变更"}))
    ms["in_transit"] = await flow.submitted()
    await _ok(await flow.scan(ms["in_transit"], "pickup", f.POINTS[330402]), 201)
    ms["delivered"] = await delivered()
    ms["received"] = await delivered()
    await _ok(await flow.receive(ms["received"]))
    ms["completed"] = await delivered()
    await _ok(await flow.receive(ms["completed"]))
    await dispose(ms["completed"], "1500")
    ms["partial"] = await delivered()  # received, the rejected remainder still open
    await _ok(await flow.receive(ms["partial"], decision="partial", accepted="1000", reason="部分桶体破损"))
    ms["partial_completed"] = await delivered()  # completed, the remainder still open
    await _ok(await flow.receive(ms["partial_completed"], decision="partial", accepted="1000", reason="部分桶体破损"))
    await dispose(ms["partial_completed"], "1000")
    ms["partial_returned"] = await delivered()  # the remainder goes back on a return manifest
    await _ok(await flow.receive(ms["partial_returned"], decision="partial", accepted="1200", reason="部分桶体破损"))
    await _ok(await client.post(f"/api/v1/manifests/{ms['partial_returned']['id']}/return", headers=gen, json={}))
    parent = await _ok(await client.get(f"/api/v1/manifests/{ms['partial_returned']['id']}", headers=gen))
    ms["return_on_road"] = await _ok(await client.get(f"/api/v1/manifests/{parent['child_manifest_id']}", headers=gen))
    assert ms["return_on_road"]["purpose"] == "return"
    await _ok(await flow.scan(ms["return_on_road"], "pickup", rcv_at), 201)
    ms["rejected"] = await delivered()
    await _ok(await flow.receive(ms["rejected"], decision="rejected", reason="与联单不符"))
    ms["return_requested"] = await delivered()
    await _ok(await flow.receive(ms["return_requested"], decision="rejected", reason="与联单不符"))
    await _ok(await client.post(f"/api/v1/manifests/{ms['return_requested']['id']}/return", headers=gen, json={}))
    ms["returning"] = await delivered()
    await _ok(await flow.receive(ms["returning"], decision="rejected", reason="与联单不符"))
    await _ok(await client.post(f"/api/v1/manifests/{ms['returning']['id']}/return", headers=gen, json={}))
    await _ok(await flow.scan(ms["returning"], "pickup", rcv_at), 201)
    ms["returned"] = await delivered()
    await _ok(await flow.receive(ms["returned"], decision="rejected", reason="与联单不符"))
    await _ok(await client.post(f"/api/v1/manifests/{ms['returned']['id']}/return", headers=gen, json={}))
    await _ok(await flow.scan(ms["returned"], "pickup", rcv_at), 201)
    await _ok(await flow.scan(ms["returned"], "dropoff", f.POINTS[330402]), 201)
    ms["redirected"] = await delivered()
    await _ok(await flow.receive(ms["redirected"], decision="rejected", reason="超出处理能力"))
    body = {"receiver_site_id": str(other_site.id), "planned_method_code": "D10"}
    ms["redirect_child"] = await _ok(
        await client.post(f"/api/v1/manifests/{ms['redirected']['id']}/redirect", headers=gen, json=body), 201
    )
    relay = w.body(handovers=[{"carrier_org_id": str(second.id), "site_id": str(transit.id)}])
    ms["relay_first_leg"] = await flow.submitted(relay)  # in transit, a later carrier still to take over
    await _ok(await flow.scan(ms["relay_first_leg"], "pickup", f.POINTS[330402]), 201)
    ms["relay_second_leg"] = await flow.submitted(relay)  # in transit, handed over: the last carrier drops off
    await _ok(await flow.scan(ms["relay_second_leg"], "pickup", f.POINTS[330402]), 201)
    await _ok(
        await flow.scan(
            ms["relay_second_leg"],
            "handover",
            TRANSIT_AT,
            driver=second_driver,
            vehicle_plate=second_truck.plate,
            from_vehicle_plate=w.truck.plate,
            quantity_kg="1500",
        ),
        201,
    )
    for obj in list(session.identity_map.values()):  # the requests updated them in SQL: read them afresh
        if isinstance(obj, Manifest):
            session.expunge(obj)
    return Town(
        w=w,
        by_name=ms,
        second=second,
        second_driver=second_driver,
        second_truck=second_truck,
        other=other,
        other_site=other_site,
        other_user=await f.user(session, org=other),
        admin=await f.user(session, role="admin"),
    )


@pytest.fixture
async def town(client, session: AsyncSession, world: World, flow: Flow) -> Town:  # type: ignore[no-untyped-def]
    return await build_town(client, session, world, flow)


def readers(t: Town) -> dict[str, User]:
    w = t.w
    return {
        "generator": w.gen_user,
        "carrier office": w.carrier_user,
        "driver": w.driver,
        "second carrier's driver": t.second_driver,
        "receiver": w.rcv_user,
        "redirect receiver": t.other_user,
        "another generator": w.other_generator_user,
        "another carrier's driver": w.other_driver,
        "city regulator": w.city_regulator,
        "南湖 regulator": w.nanhu_regulator,
        "海宁 regulator": w.haining_regulator,
        "admin": t.admin,
    }


async def _all(session: AsyncSession, p: Principal, f_: queries.ManifestFilter) -> list[Manifest]:
    rows, nxt = await queries.list_manifests(session, p, f_, None, 200)
    assert nxt is None
    return rows


def expected_tab(steps: list[Action], m: Manifest) -> Tab:
    """What the tabs mean, written out from the page's buttons (``steps``), not from ``tabs``."""
    if m.status == Status.DRAFT:
        return Tab.DRAFTS
    if [a for a in steps if a != Action.CANCEL]:
        return Tab.ACT
    return Tab.ARCHIVE if m.status in CLOSED else Tab.FOLLOW


async def test_to_act_on_is_exactly_what_the_page_offers(session: AsyncSession, settings: Settings, town: Town) -> None:
    names = {m["id"]: name for name, m in town.by_name.items()}
    stored = await _all(session, await principal_for(session, town.admin, settings), queries.ManifestFilter())
    assert {Status(m.status) for m in stored} == set(Status)  # every status is here
    assert len(stored) == len(names)
    seen_in: dict[str, dict[str, Tab]] = {}
    for who, user in readers(town).items():
        p = await principal_for(session, user, settings)
        visible = await _all(session, p, queries.ManifestFilter())
        expected: dict[uuid.UUID, Tab] = {}
        for m in visible:
            d = await queries.describe(session, m)  # what the manifest page reads
            steps = [Action(a) for a in d["allowed_actions"] if side_of(Action(a)) in party_of(p, m)]
            assert tabs.actions_for(p, m) == steps, (who, names[str(m.id)])
            expected[m.id] = expected_tab(steps, m)
            assert tabs.tab_of(p, m) == expected[m.id], (who, names[str(m.id)])
        got: dict[uuid.UUID, Tab] = {}
        for tab in Tab:
            for m in await _all(session, p, queries.ManifestFilter(tab=tab)):
                assert m.id not in got, (who, names[str(m.id)], "in two tabs")
                got[m.id] = tab
        assert got == expected, (who, {names[str(k)]: (v, got.get(k)) for k, v in expected.items() if got.get(k) != v})
        counts = await queries.count_tabs(session, p, queries.ManifestFilter())
        shown = tabs.tabs_for(p)
        assert counts == {"all": len(visible)} | {t.value: sum(1 for v in got.values() if v == t) for t in shown}, who
        if Tab.DRAFTS not in shown:
            assert Tab.DRAFTS not in got.values(), who
        seen_in[who] = {names[str(k)]: v for k, v in got.items()}

    gen = seen_in["generator"]
    assert {n for n, t in gen.items() if t == Tab.ACT} == {
        "partial",  # decide where the remainder goes
        "partial_completed",
        "rejected",
    }
    assert gen["submitted"] == Tab.FOLLOW  # it could still be cancelled, but it waits on the carrier
    assert gen["draft"] == Tab.DRAFTS and gen["deleted"] == Tab.ARCHIVE and gen["redirected"] == Tab.ARCHIVE
    assert {n for n, t in seen_in["receiver"].items() if t == Tab.ACT} == {
        "delivered",
        "received",
        "partial",
        "partial_returned",  # the remainder went back: the accepted part is still to dispose
    }
    assert seen_in["receiver"]["partial_completed"] == Tab.ARCHIVE  # done on its side; the generator still acts
    assert {n for n, t in seen_in["driver"].items() if t == Tab.ACT} == {
        "submitted",
        "in_transit",
        "return_on_road",
        "return_requested",
        "returning",
        "redirect_child",
        "relay_first_leg",
        "relay_second_leg",  # any listed carrier's driver may be shown the scan (the scan checks the turn)
    }
    assert {n for n, t in seen_in["second carrier's driver"].items() if t == Tab.ACT} == {
        "relay_first_leg",
        "relay_second_leg",
    }
    for who in ("carrier office", "city regulator", "admin"):
        assert Tab.ACT not in seen_in[who].values(), who  # they take no step on a manifest
    assert {n for n, t in seen_in["redirect receiver"].items()} == {"redirect_child"}
    assert seen_in["another generator"] == {} and seen_in["another carrier's driver"] == {} and seen_in["海宁 regulator"] == {}
    assert "draft" not in seen_in["city regulator"] and "deleted" not in seen_in["city regulator"]


async def test_counts_follow_the_scope_and_the_other_filters(session: AsyncSession, settings: Settings, town: Town) -> None:
    gen = await principal_for(session, town.w.gen_user, settings)
    other = await principal_for(session, town.w.other_generator_user, settings)
    city = await principal_for(session, town.w.city_regulator, settings)
    assert await queries.count_tabs(session, other, queries.ManifestFilter()) == {
        "all": 0,
        "drafts": 0,
        "act": 0,
        "follow": 0,
        "archive": 0,
    }
    assert set(await queries.count_tabs(session, city, queries.ManifestFilter())) == {"all", "act", "follow", "archive"}
    rejected = queries.ManifestFilter(status=["rejected"], tab=Tab.FOLLOW)  # the tab itself does not narrow the counts
    assert await queries.count_tabs(session, gen, rejected) == {"all": 1, "drafts": 0, "act": 1, "follow": 0, "archive": 0}
    # The regulators' filters: a county (the redirect's receiver is in 海盐县) and a company on any side.
    haiyan = queries.ManifestFilter(county=330424)
    assert [m.id for m in await _all(session, city, haiyan)] == [uuid.UUID(town.by_name["redirect_child"]["id"])]
    relay = queries.ManifestFilter(org_id=town.second.id)
    got = {str(m.id) for m in await _all(session, city, relay)}
    assert got == {town.by_name["relay_first_leg"]["id"], town.by_name["relay_second_leg"]["id"]}
    assert (await queries.count_tabs(session, city, relay))["all"] == 2
    by_name = queries.ManifestFilter(company="接力危运")  # typed: a carrier taking over is a party too
    assert {str(m.id) for m in await _all(session, city, by_name)} == got
    by_code = queries.ManifestFilter(company=town.other.uscc[-8:].lower())  # or a part of the credit code
    assert [str(m.id) for m in await _all(session, city, by_code)] == [town.by_name["redirect_child"]["id"]]
    # Renamed after submission: the list shows (and ``q`` finds) the name of submission, the
    # company filter finds the organisation by either name.
    admin = await principal_for(session, town.admin, settings)
    await organisations.change_identity(session, admin, town.other.id, reason="工商变更登记", name="新名环境科技有限公司")
    child = [town.by_name["redirect_child"]["id"]]
    for fil, want in (
        (queries.ManifestFilter(q="新名环境"), []),
        (queries.ManifestFilter(q="改送再生"), child),
        (queries.ManifestFilter(company="新名环境"), child),
        (queries.ManifestFilter(company="改送再生"), child),
    ):
        assert [str(m.id) for m in await _all(session, city, fil)] == want, fil


async def test_one_box_searches_numbers_names_plates_and_codes(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, town: Town
) -> None:
    ms = town.by_name
    city = await principal_for(session, town.w.city_regulator, settings)
    gen = await principal_for(session, town.w.gen_user, settings)

    async def found(p: Principal, q: str) -> set[str]:
        return {str(m.id) for m in await _all(session, p, queries.ManifestFilter(q=q))}

    number = ms["rejected"]["number"]
    assert await found(city, number[-6:]) == {ms["rejected"]["id"]}  # any part of the number
    assert await found(city, number[4:10]) >= {ms["rejected"]["id"]}  # the prefecture in the middle
    # A party's name as submitted: the redirect's receiver is on the child only.
    assert await found(city, "改送再生") == {ms["redirect_child"]["id"]}
    assert await found(gen, "测试化工") == {m["id"] for m in ms.values()}  # the generator is on every one, drafts too
    # A carrier taking over is found by its name too.
    assert await found(city, "接力危运") == {ms["relay_first_leg"]["id"], ms["relay_second_leg"]["id"]}
    # Plates: the one holding the load, and any scan's (the first truck of a relay).
    assert await found(city, town.second_truck.plate) == {ms["relay_second_leg"]["id"]}
    plate = town.w.truck.plate
    first_truck = await found(city, plate[:2] + " " + plate[2:].lower())  # typed loosely
    assert ms["relay_second_leg"]["id"] in first_truck and ms["returned"]["id"] in first_truck
    assert ms["submitted"]["id"] not in first_truck  # not picked up yet
    # Waste codes and categories.
    assert await found(gen, "SW07") == {ms["draft"]["id"]}
    assert await found(gen, "249-08") == {m["id"] for name, m in ms.items() if name != "draft"}
    # Wildcards are taken literally, and the scope still holds.
    assert await found(city, "%") == set() and await found(city, "_") == set()
    assert await found(await principal_for(session, town.w.other_generator_user, settings), "测试") == set()

    # The API's list and export take the same parameters.
    h = f.auth(town.w.gen_user)
    r = await client.get("/api/v1/manifests", params={"q": "改送再生", "tab": "follow"}, headers=h)
    assert r.status_code == 200 and [x["id"] for x in r.json()["items"]] == [ms["redirect_child"]["id"]]
    r = await client.get("/api/v1/manifests", params={"tab": "act"}, headers=h)
    assert {x["id"] for x in r.json()["items"]} == {ms[n]["id"] for n in ("partial", "partial_completed", "rejected")}
    r = await client.get("/api/v1/manifests", params={"tab": "nonsense"}, headers=h)
    assert r.status_code == 422
    r = await client.get("/api/v1/manifests/export.csv", params={"tab": "act"}, headers=h)
    assert r.status_code == 200 and r.text.count("\n") == 1 + 3
    r = await client.get("/api/v1/manifests", params={"org_id": str(town.other.id)}, headers=f.auth(town.w.city_regulator))
    assert [x["id"] for x in r.json()["items"]] == [ms["redirect_child"]["id"]]
