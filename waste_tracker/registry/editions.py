"""Editions of the National Hazardous Waste List: which one new records use, how complete each
loaded edition is, the codes identified by testing (900-000-××), and the map of changed codes.

A new manifest, plan or container takes the latest edition in force on its day **whose table is
complete** (every entry of the official count loaded); a record keeps the edition it was made
under. While the 2025 table is not bundled, new records stay on 2021 — with the 2021 codes still
shown, and any mapping to 2025 codes that has been loaded shown beside them.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker.registry.catalogue import CURRENT_EDITION

# 名录 Art. 6 (2021, and as reworded in 2025): waste found hazardous by testing that no listed
# code covers is coded 900-000-×× with ×× its category (HWxx).
TESTED = re.compile(r"^900-000-(\d{2})$")
TESTED_DESCRIPTION = "经鉴别具有危险特性、无法按名录已有代码归类的危险废物（按其类别归类管理）"
CHANGES = ("merged", "split", "renamed", "removed", "reworded")


async def in_force(session: AsyncSession, day: date) -> str:
    """The edition new records made on ``day`` use."""
    found = (
        await session.execute(
            text("""SELECT edition FROM catalogue_edition WHERE complete AND in_force_from <= :d
                    ORDER BY in_force_from DESC LIMIT 1"""),
            {"d": day},
        )
    ).scalar()
    return str(found) if found else CURRENT_EDITION


async def refresh(session: AsyncSession) -> list[dict[str, Any]]:
    """Count what is loaded of each edition and mark it complete when that matches the official count."""
    await session.execute(
        text("""UPDATE catalogue_edition e SET loaded_count = n.c, complete = (n.c = e.official_count)
                FROM (SELECT ed.edition, (SELECT count(*) FROM waste_code w WHERE w.edition = ed.edition
                                            AND w.kind = 'hazardous') AS c
                      FROM catalogue_edition ed) n
                WHERE n.edition = e.edition""")
    )
    return await list_editions(session)


async def list_editions(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.execute(
        text("""SELECT edition, title, decree, in_force_from, official_count, loaded_count, complete, source, missing
                FROM catalogue_edition ORDER BY in_force_from""")
    )
    return [dict(r) for r in rows.mappings()]


async def tested_code(session: AsyncSession, code: str, edition: str) -> dict[str, Any] | None:
    """A 900-000-×× code as a catalogue entry, when ×× is a category of the edition."""
    m = TESTED.match(code)
    if not m:
        return None
    row = (
        await session.execute(
            text("""SELECT category_code, category_name FROM waste_code
                    WHERE edition = :e AND kind = 'hazardous' AND category_code = :c LIMIT 1"""),
            {"e": edition, "c": f"HW{m.group(1)}"},
        )
    ).first()
    if row is None:
        return None
    return {
        "code": code,
        "edition": edition,
        "kind": "hazardous",
        "category_code": row[0],
        "category_name": row[1],
        "category_name_en": "",
        "industry_source": "非特定行业",
        "description": TESTED_DESCRIPTION,
        "hazard_characteristics": [],
    }


async def changes_for(session: AsyncSession, codes: list[str], from_edition: str) -> dict[str, list[dict[str, Any]]]:
    """What became of these codes of ``from_edition`` in later editions (empty when nothing is known)."""
    if not codes:
        return {}
    rows = await session.execute(
        text("""SELECT from_code, to_edition, to_code, change, note, source FROM catalogue_code_change
                WHERE from_edition = :e AND from_code = ANY(:codes) ORDER BY from_code, to_edition, to_code"""),
        {"e": from_edition, "codes": list(set(codes))},
    )
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows.mappings():
        out.setdefault(r["from_code"], []).append(dict(r))
    return out


async def import_changes(session: AsyncSession, path: Path) -> int:
    """Load a CSV of code changes (from_edition, from_code, to_edition, to_code, change, note,
    source). Idempotent."""
    with Path(path).open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    for i, r in enumerate(rows):
        if r["change"] not in CHANGES:
            raise ValueError(f"{path}: row {i + 2}: change must be one of {CHANGES}")
        await session.execute(
            text("""INSERT INTO catalogue_code_change (from_edition, from_code, to_edition, to_code, change, note, source)
                    VALUES (:fe, :fc, :te, NULLIF(:tc, ''), :ch, :note, :src)
                    ON CONFLICT (from_edition, from_code, to_edition, to_code) DO UPDATE SET
                        change = EXCLUDED.change, note = EXCLUDED.note, source = EXCLUDED.source"""),
            {
                "fe": r["from_edition"],
                "fc": r["from_code"],
                "te": r["to_edition"],
                "tc": r.get("to_code") or "",
                "ch": r["change"],
                "note": r.get("note", ""),
                "src": r.get("source", ""),
            },
        )
    return len(rows)
