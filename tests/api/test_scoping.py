"""Who sees what: county vs city regulators, foreign enterprises."""

from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f


async def test_generator_is_private_to_itself_and_its_regulators(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    gen = await f.organisation(session, roles=["generator"])
    await f.site(session, org=gen, county=330402)  # 南湖区
    other = await f.organisation(session, roles=["generator"])
    await f.site(session, org=other, county=330481)
    gen_user = await f.user(session, org=gen)
    foreign = await f.user(session, org=other)
    city = await f.user(session, role="regulator", jurisdiction=330400)
    haining = await f.user(session, role="regulator", jurisdiction=330481)
    nanhu = await f.user(session, role="regulator", jurisdiction=330402)

    url = f"/api/v1/organisations/{gen.id}"
    assert (await client.get(url, headers=f.auth(gen_user))).status_code == 200
    r = await client.get(url, headers=f.auth(foreign))
    assert r.status_code == 404  # not even its existence is revealed
    assert (await client.get(url, headers=f.auth(city))).status_code == 200
    assert (await client.get(url, headers=f.auth(nanhu))).status_code == 200
    assert (await client.get(url, headers=f.auth(haining))).status_code == 404

    names = {o["id"] for o in (await client.get("/api/v1/organisations", headers=f.auth(foreign))).json()}
    assert str(gen.id) not in names and str(other.id) in names
    sites = (await client.get("/api/v1/sites", params={"organisation_id": str(gen.id)}, headers=f.auth(haining))).json()
    assert sites == []
    sites = (await client.get("/api/v1/sites", params={"organisation_id": str(gen.id)}, headers=f.auth(city))).json()
    assert len(sites) == 1


async def test_receivers_and_carriers_are_a_public_directory(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    receiver = await f.organisation(session, roles=["receiver"])
    await f.site(session, org=receiver, county=330424)
    gen = await f.organisation(session)
    u = await f.user(session, org=gen)
    r = await client.get("/api/v1/organisations", params={"role": "receiver"}, headers=f.auth(u))
    assert str(receiver.id) in {o["id"] for o in r.json()}
    r = await client.get("/api/v1/sites", params={"organisation_id": str(receiver.id)}, headers=f.auth(u))
    assert len(r.json()) == 1


async def test_enterprise_cannot_act_for_another_organisation(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    mine = await f.organisation(session)
    theirs = await f.organisation(session)
    u = await f.user(session, org=mine)
    body = {
        "organisation_id": str(theirs.id),
        "name": "冒名厂区",
        "location": {"type": "Point", "coordinates": [120.63, 30.53]},
    }
    r = await client.post("/api/v1/sites", json=body, headers=f.auth(u))
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"
    r = await client.patch(f"/api/v1/organisations/{theirs.id}", json={"contact_name": "x"}, headers=f.auth(u))
    assert r.status_code == 404
    r = await client.patch(f"/api/v1/organisations/{mine.id}", json={"contact_name": "李四"}, headers=f.auth(u))
    assert r.status_code == 200 and r.json()["contact_name"] == "李四"
    r = await client.patch(f"/api/v1/organisations/{mine.id}", json={"roles": ["receiver"]}, headers=f.auth(u))
    assert r.status_code == 403


async def test_only_admins_create_organisations_and_users(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    reg = await f.user(session, role="regulator", jurisdiction=330400)
    r = await client.post(
        "/api/v1/organisations",
        json={"name": "某公司", "uscc": "914403001922038216", "roles": ["generator"]},
        headers=f.auth(reg),
    )
    assert r.status_code == 403
    r = await client.post(
        "/api/v1/users", json={"username": "sneaky", "password": "kiln-ledger-42", "role": "admin"}, headers=f.auth(reg)
    )
    assert r.status_code == 403


async def test_regulator_scope_in_me(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    city = await f.user(session, role="regulator", jurisdiction=330400)
    county = await f.user(session, role="regulator", jurisdiction=330481)
    assert len((await client.get("/api/v1/auth/me", headers=f.auth(city))).json()["county_scope"]) == 7
    assert (await client.get("/api/v1/auth/me", headers=f.auth(county))).json()["county_scope"] == [330481]


async def test_user_binding_rules(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    admin = await f.user(session, role="admin")
    gen = await f.organisation(session)
    r = await client.post(
        "/api/v1/users",
        json={"username": "drv1", "password": "kiln-ledger-42", "role": "driver", "organisation_id": str(gen.id)},
        headers=f.auth(admin),
    )
    assert r.json()["code"] == "organisation_role_missing"
    r = await client.post(
        "/api/v1/users",
        json={"username": "reg1", "password": "kiln-ledger-42", "role": "regulator"},
        headers=f.auth(admin),
    )
    assert r.json()["code"] == "invalid_user_binding"
    r = await client.post(
        "/api/v1/users",
        json={"username": "reg1", "password": "kiln-ledger-42", "role": "regulator", "jurisdiction_adcode": 330481},
        headers=f.auth(admin),
    )
    assert r.status_code == 201
    r = await client.post(
        "/api/v1/users",
        json={"username": "REG1", "password": "kiln-ledger-42", "role": "regulator", "jurisdiction_adcode": 330481},
        headers=f.auth(admin),
    )
    assert r.status_code == 409 and r.json()["code"] == "duplicate_username"
