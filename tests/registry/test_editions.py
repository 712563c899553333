"""Catalogue editions: which edition new records use, codes identified by testing (900-000-××),
loading a complete later edition (new records switch, old ones keep theirs), and the map of
changed codes shown where an old code is no longer valid."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories as f
from tests.conftest import TEST_SECRET
from tests.manifest.conftest import Flow, World
from tests.manifest.conftest import flow as flow  # noqa: F401 - the small city, as fixtures
from tests.manifest.conftest import world as world  # noqa: F401
from waste_tracker import clock
from waste_tracker.auth.tokens import issue_access_token
from waste_tracker.registry import editions
from waste_tracker.registry.catalogue import DATA_DIR, import_file


async def test_bundled_editions(client, session: AsyncSession, world: World) -> None:  # type: ignore[no-untyped-def]
    listed = (await client.get("/api/v1/catalogue/editions", headers=f.auth(world.gen_user))).json()
    by = {e["edition"]: e for e in listed}
    assert by["2021"]["complete"] and by["2021"]["loaded_count"] == by["2021"]["official_count"] == 467
    assert by["2025"]["official_count"] == 470 and not by["2025"]["complete"] and "锡冶炼" in by["2025"]["missing"]
    assert by["2021"]["used_for_new_records"] and not by["2025"]["used_for_new_records"]
    assert await editions.in_force(session, clock.today()) == "2021"


async def test_codes_identified_by_testing(client, world: World, flow: Flow) -> None:  # type: ignore[no-untyped-def]
    r = await client.get("/api/v1/waste-codes/900-000-08", headers=f.auth(world.gen_user))
    assert r.status_code == 200 and r.json()["category_code"] == "HW08" and "鉴别" in r.json()["description"]
    r = await client.get("/api/v1/waste-codes/900-000-41", headers=f.auth(world.gen_user))  # HW41 is not used
    assert r.status_code == 404
    line = {**world.body()["lines"][0], "waste_code": "900-000-08"}
    m = await flow.submitted(world.body(lines=[line]))
    assert m["lines"][0]["category_code"] == "HW08"


def _synthetic_2025(tmp: Path) -> Path:
    """A stand-in for the 2025 table (the real one is not bundled): the 2021 rows with one code
    replaced and four added, 470 in all, so the loading machinery can be exercised."""
    src = DATA_DIR / "hw_catalogue_2021.csv"
    with src.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0])
    rows = [r for r in rows if r["waste_code"] != "900-210-08"]
    oil = next(r for r in rows if r["category_code"] == "HW08")
    smelting = next(r for r in rows if r["category_code"] == "HW48")
    rows.append({**oil, "waste_code": "900-299-08", "waste_description": "测试条目：合并后的代码"})
    for code in ("321-901-48", "321-902-48", "321-903-48"):
        rows.append({**smelting, "waste_code": code, "waste_description": f"测试条目：{code}"})
    out = tmp / "hw_catalogue_2025.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, header)
        w.writeheader()
        w.writerows(rows)
    assert len(rows) == 470
    return out


async def test_a_complete_later_edition_takes_over(  # type: ignore[no-untyped-def]
    client, session: AsyncSession, world: World, flow: Flow, tmp_path: Path
) -> None:
    old = await flow.submitted()
    assert old["catalogue_edition"] == "2021"
    kind, n = await import_file(session, _synthetic_2025(tmp_path), "2025")
    assert (kind, n) == ("hazardous", 470)
    assert await editions.in_force(session, clock.today()) == "2025"
    new = await flow.submitted()
    assert new["catalogue_edition"] == "2025"
    changes = tmp_path / "hw_changes_2025.csv"
    changes.write_text(
        "from_edition,from_code,to_edition,to_code,change,note,source\n"
        "2021,900-249-08,2025,900-299-08,merged,与 900-210-08 合并,test\n",
        encoding="utf-8",
    )
    assert await import_file(session, changes) == ("code changes", 1)
    r = await client.get("/api/v1/waste-codes/900-249-08?edition=2021", headers=f.auth(world.gen_user))
    assert r.json()["changes"][0]["to_code"] == "900-299-08"
    # The old manifest's page says what became of its code.
    client.cookies.set("wt_session", issue_access_token(world.gen_user.id, world.gen_user.role, TEST_SECRET, 60)[0])
    page = await client.get(f"/m/{old['id']}")
    assert page.status_code == 200 and "900-299-08" in page.text and "合并" in page.text
    assert "900-299-08" not in (await client.get(f"/m/{new['id']}")).text
    client.cookies.clear()
    # A code gone from 2025 is refused for new manifests, with the edition named.
    line = {**world.body()["lines"][0], "waste_code": "900-210-08"}
    r = await client.post("/api/v1/manifests", json=world.body(lines=[line]), headers=f.auth(world.gen_user))
    assert (r.status_code, r.json()["code"], r.json()["details"]["edition"]) == (422, "unknown_waste_code", "2025")
