"""Audit samples end to end through the API: the draw recorded and reproducible, auditors' reads
limited to the sampled enterprises, the period and the assignment's window, every read logged,
findings raised as alerts for the enterprise's county regulator only."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.audit.helpers import SETTINGS, key_enterprise, make_key
from tests.manifest.conftest import World, build_world, today
from waste_tracker import clock
from waste_tracker.auth.service import principal_for
from waste_tracker.manifest import service as manifests
from waste_tracker.manifest.commands import Draft
from waste_tracker.models import Alert, AuditRead, User

PDF = b"%PDF-1.4\n% audit evidence\n"


async def _setup(session: AsyncSession) -> tuple[World, dict[str, Any]]:
    w = await build_world(session)
    await make_key(session, w, w.generator, w.gen_site, w.gen_user)
    others = [await key_enterprise(session, w, c) for c in (330402, 330402, 330411, 330411, 330481)]
    gen = await principal_for(session, w.gen_user, SETTINGS)
    m = await manifests.create_draft(session, gen, Draft.of(w.body()))
    await manifests.submit(session, gen, m.id)
    auditor = await f.user(session, role="auditor")
    return w, {"others": others, "manifest": m, "auditor": auditor}


async def _draw(client, regulator: User, **over: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    body = {"period_from": str(today() - timedelta(days=30)), "period_to": str(today()), "rate": "1", "seed": "s1", **over}
    r = await client.post("/api/v1/audit-samples", json=body, headers=f.auth(regulator))
    assert r.status_code == 201, r.text
    return r.json()


async def test_the_draw_is_recorded_reproducible_and_stratified(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    w, x = await _setup(session)
    a = await _draw(client, w.city_regulator, rate="0.5", seed="alpha")
    b = await _draw(client, w.city_regulator, rate="0.5", seed="alpha")
    sel = lambda d: {u["organisation_id"] for u in d["units"] if u["outcome"] == "selected"}  # noqa: E731
    assert a["id"] != b["id"] and sel(a) == sel(b) and a["strata"] == b["strata"] and a["seed"] == "alpha"
    counties = {s["county_adcode"] for s in a["strata"]}
    assert {330402, 330411, 330481} <= counties
    assert all(s["drawn"] >= 1 for s in a["strata"])
    r = await client.get(f"/api/v1/audit-samples/{a['id']}?check=true", headers=f.auth(w.city_regulator))
    assert r.status_code == 200 and r.json()["reproducible"] is True
    # a county regulator draws in its own county only
    n = await _draw(client, w.nanhu_regulator)
    assert {u["county_adcode"] for u in n["units"]} == {330402}
    # exclusions need a reason and are written down
    target = str(x["others"][0].id)
    r = await client.post(
        "/api/v1/audit-samples",
        json={"period_from": str(today()), "period_to": str(today()), "exclusions": [{"organisation_id": target, "reason": " "}]},
        headers=f.auth(w.city_regulator),
    )
    assert r.status_code == 422 and r.json()["code"] in ("validation_error", "audit_exclusion_reason_missing")
    e = await _draw(client, w.city_regulator, exclusions=[{"organisation_id": target, "reason": "已立案调查"}])
    (unit,) = [u for u in e["units"] if u["organisation_id"] == target]
    assert unit["outcome"] == "excluded" and unit["exclusion_reason"] == "已立案调查"
    r = await client.post(
        "/api/v1/audit-samples",
        json={"period_from": str(today()), "period_to": str(today() - timedelta(days=1))},
        headers={**f.auth(w.city_regulator), "Accept-Language": "en"},
    )
    assert r.status_code == 422 and r.json()["code"] == "audit_invalid_period" and "ends on" in r.json()["message"]
    assert (
        await client.post(
            "/api/v1/audit-samples", json={"period_from": str(today()), "period_to": str(today())}, headers=f.auth(w.gen_user)
        )
    ).status_code == 403


async def test_auditor_reads_only_the_sample_in_its_window_and_every_read_is_logged(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    w, x = await _setup(session)
    sample = await _draw(client, w.city_regulator)
    sid, auditor, m = sample["id"], x["auditor"], x["manifest"]
    h = f.auth(auditor)
    # not assigned yet: nothing
    assert (await client.get(f"/api/v1/audit-samples/{sid}", headers=h)).status_code == 404
    assert (await client.get(f"/api/v1/audit-samples/{sid}/manifests/{m.id}", headers=h)).status_code == 404
    r = await client.post(
        f"/api/v1/audit-samples/{sid}/assignments",
        json={
            "auditor_id": str(auditor.id),
            "valid_from": str(today()),
            "valid_to": str(today() + timedelta(days=7)),
            "firm": "甲审计",
        },
        headers=f.auth(w.city_regulator),
    )
    assert r.status_code == 201, r.text
    # the generic manifest routes stay closed to auditors (deny by default)
    assert (await client.get(f"/api/v1/manifests/{m.id}", headers=h)).status_code == 403
    assert (await client.get("/api/v1/alerts", headers=h)).status_code == 403
    r = await client.get(f"/api/v1/audit-samples/{sid}", headers=h)
    assert r.status_code == 200 and all(u["outcome"] == "selected" for u in r.json()["units"])
    r = await client.get(f"/api/v1/audit-samples/{sid}/enterprises/{w.generator.id}/manifests", headers=h)
    assert r.status_code == 200 and [i["id"] for i in r.json()["items"]] == [str(m.id)]
    r = await client.get(f"/api/v1/audit-samples/{sid}/manifests/{m.id}", headers=h)
    assert r.status_code == 200 and r.json()["number"] == m.number
    # an enterprise outside the sample: refused
    outsider = await f.organisation(session, roles=["generator"])
    r = await client.get(f"/api/v1/audit-samples/{sid}/enterprises/{outsider.id}/manifests", headers=h)
    assert r.status_code == 404
    # a manifest outside the period: the same sample drawn for an earlier month does not show it
    early = await _draw(
        client, w.city_regulator, period_from=str(today() - timedelta(days=90)), period_to=str(today() - timedelta(days=60))
    )
    await client.post(
        f"/api/v1/audit-samples/{early['id']}/assignments",
        json={"auditor_id": str(auditor.id), "valid_from": str(today()), "valid_to": str(today())},
        headers=f.auth(w.city_regulator),
    )
    assert (await client.get(f"/api/v1/audit-samples/{early['id']}/manifests/{m.id}", headers=h)).status_code == 404
    r = await client.get(f"/api/v1/audit-samples/{early['id']}/enterprises/{w.generator.id}/manifests", headers=h)
    assert r.status_code == 200 and r.json()["items"] == []
    # before and after the assignment's window: refused
    for at in (clock.start_of(today()) - timedelta(seconds=1), clock.start_of(today() + timedelta(days=8))):
        with clock.frozen(at):
            r = await client.get(f"/api/v1/audit-samples/{sid}/manifests/{m.id}", headers=f.auth(auditor))
            assert r.status_code == 404, (at, r.text)
    # every read logged: who, what, when
    logged = list((await session.execute(select(AuditRead).where(AuditRead.auditor_id == auditor.id))).scalars())
    kinds = [r.kind for r in logged]
    assert kinds.count("manifest") == 1 and "sample" in kinds and "manifest_list" in kinds
    assert all(r.created_at is not None for r in logged)
    r = await client.get(f"/api/v1/audit-samples/{sid}/reads", headers=f.auth(w.city_regulator))
    assert r.status_code == 200 and {x["kind"] for x in r.json()} >= {"sample", "manifest", "manifest_list"}
    assert (await client.get(f"/api/v1/audit-samples/{sid}/reads", headers=h)).status_code == 403
    # closing ends the access
    assert (
        await client.post(f"/api/v1/audit-samples/{sid}/close", json={"reason": "完成"}, headers=f.auth(w.city_regulator))
    ).status_code == 204
    assert (await client.get(f"/api/v1/audit-samples/{sid}/manifests/{m.id}", headers=h)).status_code == 404


async def test_findings_become_alerts_for_the_county_regulator_only(client, session: AsyncSession) -> None:  # type: ignore[no-untyped-def]
    w, x = await _setup(session)
    sample = await _draw(client, w.city_regulator)
    sid, auditor = sample["id"], x["auditor"]
    await client.post(
        f"/api/v1/audit-samples/{sid}/assignments",
        json={"auditor_id": str(auditor.id), "valid_from": str(today()), "valid_to": str(today())},
        headers=f.auth(w.city_regulator),
    )
    body = {
        "organisation_id": str(w.generator.id),
        "severity": "critical",
        "text": "处置费直接付给运输单位，无合同。",
        "attachments": [{"filename": "收据.pdf", "content_base64": base64.b64encode(PDF).decode()}],
    }
    r = await client.post(f"/api/v1/audit-samples/{sid}/findings", json=body, headers=f.auth(auditor))
    assert r.status_code == 201, r.text
    finding = r.json()
    (att,) = finding["attachments"]
    import hashlib

    assert att["sha256"] == hashlib.sha256(PDF).hexdigest() and att["media_type"] == "application/pdf"
    alert = await session.get(Alert, finding["alert_id"])
    assert alert is not None and alert.rule_id == "audit_finding" and alert.generator_county == 330402
    assert alert.severity == "critical" and alert.generator_org_id is None
    seen = lambda u: client.get(f"/api/v1/alerts/{finding['alert_id']}", headers=f.auth(u))  # noqa: E731
    assert (await seen(w.nanhu_regulator)).status_code == 200
    assert (await seen(w.city_regulator)).status_code == 200
    assert (await seen(w.haining_regulator)).status_code == 404
    assert (await seen(w.gen_user)).status_code == 404
    r = await client.get(f"/api/v1/audit-attachments/{att['id']}", headers=f.auth(w.nanhu_regulator))
    assert r.status_code == 200 and r.content == PDF
    assert (await client.get(f"/api/v1/audit-attachments/{att['id']}", headers=f.auth(w.haining_regulator))).status_code == 404
    # bad input: a file that is neither a PDF nor an image; an enterprise not in the sample
    bad = {**body, "attachments": [{"filename": "x.exe", "content_base64": base64.b64encode(b"MZ...").decode()}]}
    r = await client.post(f"/api/v1/audit-samples/{sid}/findings", json=bad, headers=f.auth(auditor))
    assert r.status_code == 422 and r.json()["code"] == "audit_attachment_type"
    outsider = await f.organisation(session, roles=["generator"])
    r = await client.post(
        f"/api/v1/audit-samples/{sid}/findings", json={**body, "organisation_id": str(outsider.id)}, headers=f.auth(auditor)
    )
    assert r.status_code == 404
    # regulators do not record findings
    r = await client.post(f"/api/v1/audit-samples/{sid}/findings", json=body, headers=f.auth(w.city_regulator))
    assert r.status_code == 403
