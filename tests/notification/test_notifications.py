"""Notifications (issue #14): each kind reaches the party it concerns and nobody else; read marks
are the reader's own, insert-only; counts; the 30-day window; the API's errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from tests import factories as f
from tests.manifest.conftest import Flow, World
from waste_tracker import clock
from waste_tracker.auth.service import principal_for
from waste_tracker.config import get_settings
from waste_tracker.models import ManifestEvent, NotificationRead, NotificationReadAll, User
from waste_tracker.notification import service
from waste_tracker.seed.demo import seed
from waste_tracker.seed.road import seed_road

URL = "/api/v1/notifications"
DEMO_AT = clock.at(2026, 11, 20, 10)


async def inbox(client: Any, u: User, **params: Any) -> dict[str, Any]:
    r = await client.get(URL, headers=f.auth(u), params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


async def kinds(client: Any, u: User) -> list[str]:
    return [n["kind"] for n in (await inbox(client, u))["items"]]


async def mark(client: Any, u: User, body: dict[str, Any], lang: str = "zh-CN") -> Any:
    return await client.post(f"{URL}/read", headers=f.auth(u) | {"Accept-Language": lang}, json=body)


async def test_a_submission_tells_its_receiver_and_carrier_and_nobody_else(client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.submitted()
    got = await inbox(client, world.rcv_user)
    assert got["unread"] == 1
    [n] = got["items"]
    assert n["kind"] == "manifest_incoming" and n["unread"] is True
    assert n["link"] == f"/m/{m['id']}" and n["manifest_id"] == m["id"] and n["manifest_number"] == m["number"]
    assert n["title"] == {"zh-CN": m["number"], "en": m["number"]}
    assert "测试化工有限公司" in n["text"]["zh-CN"] and m["number"] in n["text"]["zh-CN"]
    assert n["text"]["en"].startswith("测试化工有限公司 submitted manifest " + m["number"])
    assert n["id"] == f"manifest_incoming:{m['id']}:2"  # created, then submitted
    # The carrier's office and its driver: a load to carry.
    assert await kinds(client, world.carrier_user) == ["manifest_to_carry"]
    assert await kinds(client, world.driver) == ["manifest_to_carry"]
    # Not the generator (it did it), not another receiver, carrier or generator, nor regulators.
    for u in (
        world.gen_user,
        world.far_user,
        world.other_driver,
        world.other_generator_user,
        world.city_regulator,
        world.nanhu_regulator,
    ):
        got = await inbox(client, u)
        assert got == {"items": [], "unread": 0}, u.username


async def test_drop_off_rejection_and_return(client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.delivered()
    assert await kinds(client, world.rcv_user) == ["manifest_delivered", "manifest_incoming"]  # newest first
    r = await flow.receive(m, "rejected", reason="含水率超标")
    assert r.status_code == 200, r.text
    got = (await inbox(client, world.gen_user))["items"]
    assert [n["kind"] for n in got] == ["manifest_rejected"]
    assert "含水率超标" in got[0]["text"]["zh-CN"] and "测试焚烧厂" in got[0]["text"]["en"]
    # The receiver did it; the carrier is not told of a rejection, only of the trip back.
    assert await kinds(client, world.rcv_user) == ["manifest_delivered", "manifest_incoming"]
    assert await kinds(client, world.carrier_user) == ["manifest_to_carry"]
    r = await client.post(f"/api/v1/manifests/{m['id']}/return", headers=f.auth(world.gen_user), json={"note": ""})
    assert r.status_code == 200, r.text
    assert await kinds(client, world.driver) == ["return_to_carry", "manifest_to_carry"]
    assert await kinds(client, world.carrier_user) == ["return_to_carry", "manifest_to_carry"]
    assert await kinds(client, world.other_driver) == []
    assert await kinds(client, world.gen_user) == ["manifest_rejected"]


async def test_partial_acceptance_tells_the_generator(client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.delivered()
    r = await flow.receive(m, "partial", kg="1500", accepted="1000", reason="一桶破损")
    assert r.status_code == 200, r.text
    [n] = (await inbox(client, world.gen_user))["items"]
    assert n["kind"] == "manifest_partial" and "一桶破损" in n["text"]["zh-CN"]
    assert await kinds(client, world.other_generator_user) == []


async def test_an_alert_assigned_tells_its_assignee_only(client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m = await flow.submitted()
    await flow.scan(m, "pickup", f.POINTS[330402])
    await flow.scan(m, "dropoff", f.POINTS[310116])  # in Shanghai: alerts
    city = f.auth(world.city_regulator)
    aid = (await client.get("/api/v1/alerts", params={"rule": "hazardous_left_city"}, headers=city)).json()["items"][0]["id"]
    r = await client.post(f"/api/v1/alerts/{aid}/assign", headers=city, json={"assignee_id": str(world.nanhu_regulator.id)})
    assert r.status_code == 200, r.text
    got = await inbox(client, world.nanhu_regulator)
    assert got["unread"] == 1
    [n] = got["items"]
    assert n["kind"] == "alert_assigned" and n["link"] == f"/reg/alerts/{aid}" and n["alert_id"] == aid
    assert n["title"] == {"zh-CN": "危险废物出市", "en": "Hazardous waste left the city"}
    assert m["number"] in n["text"]["zh-CN"] and n["manifest_number"] == m["number"]
    # Not the regulator who assigned it, not another county's, not the parties.
    for u in (world.city_regulator, world.haining_regulator, world.gen_user):
        assert "alert_assigned" not in await kinds(client, u), u.username
    # Assigned elsewhere, it is no longer this regulator's; assigning oneself tells nobody.
    r = await client.post(f"/api/v1/alerts/{aid}/assign", headers=city, json={"assignee_id": str(world.city_regulator.id)})
    assert r.status_code == 200, r.text
    assert await kinds(client, world.nanhu_regulator) == []
    assert await kinds(client, world.city_regulator) == []


async def test_read_marks_are_the_readers_own_and_insert_only(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    m1 = await flow.submitted()
    await flow.submitted()
    events = (await session.execute(select(func.count()).select_from(ManifestEvent))).scalar_one()
    got = await inbox(client, world.rcv_user)
    assert got["unread"] == 2
    first = next(n for n in got["items"] if n["manifest_id"] == m1["id"])
    r = await mark(client, world.rcv_user, {"ids": [first["id"]]})
    assert r.status_code == 200 and r.json() == {"unread": 1}
    got = await inbox(client, world.rcv_user)
    assert {n["manifest_id"]: n["unread"] for n in got["items"]}[m1["id"]] is False and got["unread"] == 1
    # Marking again changes nothing; it is one row.
    assert (await mark(client, world.rcv_user, {"ids": [first["id"]]})).json() == {"unread": 1}
    # Another reader's notifications are untouched: the carrier still has both unread.
    assert (await inbox(client, world.carrier_user))["unread"] == 2
    # Nobody marks another's: the receiver's id is not the carrier's.
    r = await mark(client, world.carrier_user, {"ids": [first["id"]]})
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert (await inbox(client, world.carrier_user))["unread"] == 2
    # Everything so far.
    r = await mark(client, world.rcv_user, {"all": True})
    assert r.status_code == 200 and r.json() == {"unread": 0}
    assert all(not n["unread"] for n in (await inbox(client, world.rcv_user))["items"])
    # Something new after that is unread again.
    await flow.submitted()
    assert (await inbox(client, world.rcv_user, limit=0)) == {"items": [], "unread": 1}
    # The evidence is what it was; the marks are the reader's own rows.
    assert (
        await session.execute(select(func.count()).select_from(ManifestEvent))
    ).scalar_one() == events + 2  # only the new manifest's two
    reads = (await session.execute(select(NotificationRead))).scalars().all()
    assert [(x.user_id, x.item_id) for x in reads] == [(world.rcv_user.id, first["id"])]
    alls = (await session.execute(select(NotificationReadAll))).scalars().all()
    assert [x.user_id for x in alls] == [world.rcv_user.id]


async def test_marking_read_refuses_what_is_unclear(client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    await flow.submitted()
    u = world.rcv_user
    for body, code in (
        ({}, "notification_read_target"),
        ({"all": True, "ids": ["manifest_incoming:0190-aa:2"]}, "notification_read_target"),
        ({"ids": ["no such thing"]}, "invalid_notification_id"),
        ({"ids": ["unknown_kind:0190-aa:2"]}, "invalid_notification_id"),
    ):
        r = await mark(client, u, body)
        assert r.status_code == 422 and r.json()["code"] == code, (body, r.text)
    r = await mark(client, u, {}, lang="en")
    assert r.json()["message"] == "Name the notifications to mark read, or mark them all."
    r = await mark(client, u, {"ids": ["x"] * 201})
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
    r = await mark(client, u, {"all": True, "extra": 1})
    assert r.status_code == 422
    r = await mark(client, u, {"ids": ["manifest_incoming:00000000-0000-0000-0000-000000000000:2"]}, lang="en")
    assert r.status_code == 404 and r.json()["message"].startswith("Notification")
    assert (await client.get(URL)).status_code == 401
    assert (await client.post(f"{URL}/read", json={"all": True})).status_code == 401


async def test_only_the_last_thirty_days(client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(clock.now() - timedelta(days=31)):
        await flow.submitted(world.body(planned_pickup_date=str(clock.today())))
    assert await kinds(client, world.rcv_user) == []
    m = await flow.submitted()
    got = await inbox(client, world.rcv_user)
    assert [n["manifest_id"] for n in got["items"]] == [m["id"]] and got["unread"] == 1
    # limit: the newest only; the count is of all of them.
    await flow.submitted()
    got = await inbox(client, world.rcv_user, limit=1)
    assert len(got["items"]) == 1 and got["unread"] == 2
    assert (await client.get(URL, params={"limit": 201}, headers=f.auth(world.rcv_user))).status_code == 422


async def test_an_admin_has_none(client, session: AsyncSession, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    await flow.submitted()
    admin = await f.user(session, role="admin")
    assert await inbox(client, admin) == {"items": [], "unread": 0}
    assert (await mark(client, admin, {"all": True})).json() == {"unread": 0}


async def test_the_demo_tells_its_parties_with_nothing_seeded(session: AsyncSession) -> None:
    """The Jiaxing demo's journeys are notifications as they stand: nothing is seeded for them."""
    with clock.frozen(DEMO_AT):
        await seed(session)
        await seed_road(session)
    with clock.frozen(DEMO_AT + timedelta(hours=1)):

        async def of(username: str) -> list[str]:
            user = (await session.execute(select(User).where(col(User.username) == username))).scalar_one()
            inbox = await service.inbox(session, await principal_for(session, user, get_settings()))
            assert inbox.unread == len(inbox.items)
            return sorted(n.kind for n in inbox.items)

        # Two loads to the incinerator, one relayed to the landfill: each submitted and dropped off.
        assert await of("jiaxing-incinerator") == ["manifest_delivered"] * 2 + ["manifest_incoming"] * 2
        assert await of("haiyan-landfill") == ["manifest_delivered", "manifest_incoming"]
        assert await of("driver-lvtong") == ["manifest_to_carry"] * 3  # two of its own, the relay's second leg
        assert await of("driver-anda") == ["manifest_to_carry"]
        assert await of("nanhu-chem") == []  # its loads were all accepted
        assert await of("jiaxing-regulator") == []


def test_every_kind_has_its_words_everywhere() -> None:
    """A kind added to the table has its texts, its page label and its place in the wire model."""
    from typing import get_args

    from api.web.i18n import messages
    from schemas.notification import Kind as WireKind
    from waste_tracker.notification.kinds import FROM_EVENTS, TEXTS, Kind

    assert set(get_args(WireKind)) == {k.value for k in Kind}
    assert set(TEXTS) == set(Kind) and {r.kind for r in FROM_EVENTS} | {Kind.ALERT_ASSIGNED} == set(Kind)
    known = messages()
    assert all(f"notifications.kind.{k.value}" in known for k in Kind)
