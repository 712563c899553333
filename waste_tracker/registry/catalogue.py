"""The waste catalogue (hazardous list + general-waste categories), its exemption list, and the
utilisation/disposal method codes. Each hazardous entry records its edition, so a new edition of
the list loads beside the old one and manifests keep pointing at the edition they were filed under.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker.errors import Invalid, NotFound

CURRENT_EDITION = "2021"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
HW_CODE = re.compile(r"^\d{3}-\d{3}-\d{2}$")
HAZARD_ORDER = ("T", "C", "I", "R", "In")


def bundled_catalogue_files() -> list[Path]:
    return [DATA_DIR / n for n in ("hw_catalogue_2021.csv", "hw_exemptions_2021.csv", "sw_categories.csv", "method_codes.csv")]


def _edition_from_name(path: Path, default: str = CURRENT_EDITION) -> str:
    m = re.search(r"(20\d\d)", path.name)
    return m.group(1) if m else default


async def import_file(session: AsyncSession, path: Path, edition: str | None = None) -> tuple[str, int]:
    """Load one catalogue CSV, recognised by its header. Idempotent (upserts). Returns (kind, rows)."""
    with Path(path).open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return "empty", 0
    header = set(rows[0])
    ed = edition or _edition_from_name(Path(path))
    if {"waste_code", "hazard_list", "category_code"} <= header:
        n = await _import_hazardous(session, rows, ed)
        from waste_tracker.registry import editions

        await editions.refresh(session)
        return "hazardous", n
    if {"seq", "exempt_stage", "exempt_content"} <= header:
        return "exemptions", await _import_exemptions(session, rows, ed)
    if header == {"category_code", "category_name", "category_name_en"}:
        return "general", await _import_general(session, rows, edition or CURRENT_EDITION)
    if {"code", "kind", "name", "name_en"} <= header:
        return "methods", await _import_methods(session, rows)
    if {"from_edition", "from_code", "to_edition", "change"} <= header:
        from waste_tracker.registry import editions

        return "code changes", await editions.import_changes(session, Path(path))
    raise ValueError(f"{path}: unrecognised catalogue file (columns {sorted(header)})")


_UPSERT_CODE = text(
    """
    INSERT INTO waste_code (edition, code, kind, category_code, category_name, category_name_en,
                            industry_source, description, hazard_characteristics)
    VALUES (:edition, :code, :kind, :category_code, :category_name, :category_name_en,
            :industry_source, :description, CAST(:hazards AS varchar[]))
    ON CONFLICT (edition, code) DO UPDATE SET
        kind = EXCLUDED.kind, category_code = EXCLUDED.category_code,
        category_name = EXCLUDED.category_name, category_name_en = EXCLUDED.category_name_en,
        industry_source = EXCLUDED.industry_source, description = EXCLUDED.description,
        hazard_characteristics = EXCLUDED.hazard_characteristics
    """
)


async def _import_hazardous(session: AsyncSession, rows: list[dict[str, Any]], edition: str) -> int:
    params = []
    for r in rows:
        code = r["waste_code"].strip()
        if not HW_CODE.match(code):
            raise ValueError(f"bad hazardous waste code {code!r}")
        hazards = [h for h in (r.get("hazard_list") or "").split(";") if h]
        unknown = set(hazards) - set(HAZARD_ORDER)
        if unknown:
            raise ValueError(f"{code}: unknown hazard characteristics {unknown}")
        params.append(
            {
                "edition": edition,
                "code": code,
                "kind": "hazardous",
                "category_code": r["category_code"],
                "category_name": r["category_name"],
                "category_name_en": "",
                "industry_source": r.get("industry_source", ""),
                "description": r["waste_description"],
                "hazards": hazards,
            }
        )
    await session.execute(_UPSERT_CODE, params)
    return len(params)


async def _import_general(session: AsyncSession, rows: list[dict[str, Any]], edition: str) -> int:
    params = [
        {
            "edition": edition,
            "code": r["category_code"],
            "kind": "general",
            "category_code": r["category_code"],
            "category_name": r["category_name"],
            "category_name_en": r["category_name_en"],
            "industry_source": "",
            "description": r["category_name"],
            "hazards": [],
        }
        for r in rows
    ]
    await session.execute(_UPSERT_CODE, params)
    return len(params)


async def _import_exemptions(session: AsyncSession, rows: list[dict[str, Any]], edition: str) -> int:
    # The list has no natural key per row: replace the edition's rows as a whole (same transaction).
    await session.execute(text("DELETE FROM catalogue_exemption WHERE edition = :e"), {"e": edition})
    await session.execute(
        text(
            """INSERT INTO catalogue_exemption (edition, seq, category_or_code, waste, exempt_stage,
                                            exempt_condition, exempt_content)
           VALUES (:edition, :seq, :category_or_code, :waste, :exempt_stage, :exempt_condition, :exempt_content)"""
        ),
        [
            {
                "edition": edition,
                "seq": int(r["seq"]),
                "category_or_code": r["category_or_code"],
                "waste": r["waste"],
                "exempt_stage": r["exempt_stage"],
                "exempt_condition": r["exempt_condition"],
                "exempt_content": r["exempt_content"],
            }
            for r in rows
        ],
    )
    return len(rows)


async def _import_methods(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    await session.execute(
        text(
            """INSERT INTO method_code (code, kind, name, name_en) VALUES (:code, :kind, :name, :name_en)
           ON CONFLICT (code) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, name_en = EXCLUDED.name_en"""
        ),
        [{"code": r["code"], "kind": r["kind"], "name": r["name"], "name_en": r["name_en"]} for r in rows],
    )
    return len(rows)


_CODE_LIKE = re.compile(r"^(HW|SW)?[\d-]+$", re.IGNORECASE)


async def search(
    session: AsyncSession,
    q: str | None = None,
    kind: str | None = None,
    category: str | None = None,
    edition: str = CURRENT_EDITION,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Search by code prefix (``900-041``, ``HW08``) or by words in the description and source."""
    where = ["edition = :edition"]
    params: dict[str, Any] = {"edition": edition, "limit": limit, "offset": offset}
    if kind:
        where.append("kind = :kind")
        params["kind"] = kind
    if category:
        where.append("category_code = :category")
        params["category"] = category.upper()
    order = "code"
    if q:
        q = q.strip()
        if _CODE_LIKE.match(q):
            where.append("(code ILIKE :prefix OR category_code ILIKE :prefix)")
            params["prefix"] = q.replace("%", "").replace("_", r"\_") + "%"
        else:
            terms = [t for t in re.split(r"\s+", q) if t][:5]
            for i, t in enumerate(terms):
                key = f"t{i}"
                where.append(
                    f"(description ILIKE :{key} OR category_name ILIKE :{key} "
                    f"OR industry_source ILIKE :{key} OR category_name_en ILIKE :{key})"
                )
                params[key] = "%" + t.replace("%", r"\%").replace("_", r"\_") + "%"
            params["q0"] = "%" + terms[0] + "%" if terms else "%"
            # Entries whose category name matches come first (e.g. 废矿物油 -> HW08).
            order = "(category_name ILIKE :q0) DESC, code"
    sql_where = " AND ".join(where)
    total = (await session.execute(text(f"SELECT count(*) FROM waste_code WHERE {sql_where}"), params)).scalar_one()
    rows = (
        (
            await session.execute(
                text(
                    f"""SELECT code, edition, kind, category_code, category_name, category_name_en, industry_source,
                   description, hazard_characteristics
            FROM waste_code WHERE {sql_where} ORDER BY {order} LIMIT :limit OFFSET :offset"""
                ),
                params,
            )
        )
        .mappings()
        .all()
    )
    return [dict(r) for r in rows], int(total)


async def get_code(session: AsyncSession, code: str, edition: str = CURRENT_EDITION) -> dict[str, Any]:
    found = await resolve_codes(session, [code], edition, error=NotFound("waste_code", code))
    return found[code]


async def resolve_codes(
    session: AsyncSession, codes: list[str], edition: str = CURRENT_EDITION, error: Exception | None = None
) -> dict[str, dict[str, Any]]:
    """Look up many codes at once; raise ``unknown_waste_code`` naming the first unknown one.

    Hazardous codes are looked up in ``edition``; a general-waste category (SWxx) has no edition
    (the latest loaded row is used); a 900-000-×× code (waste identified hazardous by testing) is
    valid for every category of the edition."""
    from waste_tracker.registry import editions

    rows = (
        (
            await session.execute(
                text(
                    """SELECT DISTINCT ON (code) code, edition, kind, category_code, category_name, category_name_en,
                              industry_source, description, hazard_characteristics
           FROM waste_code WHERE code = ANY(:codes) AND (edition = :e OR kind = 'general')
           ORDER BY code, (edition = :e) DESC, edition DESC"""
                ),
                {"e": edition, "codes": list(set(codes))},
            )
        )
        .mappings()
        .all()
    )
    found = {r["code"]: dict(r) for r in rows}
    for c in codes:
        if c not in found:
            tested = await editions.tested_code(session, c, edition)
            if tested is None:
                raise error or Invalid("unknown_waste_code", {"code": c, "edition": edition})
            found[c] = tested
    return found


async def known_categories(session: AsyncSession, edition: str = CURRENT_EDITION) -> set[str]:
    return set(
        (
            await session.execute(text("SELECT DISTINCT category_code FROM waste_code WHERE edition = :e"), {"e": edition})
        ).scalars()
    )


async def check_method_codes(session: AsyncSession, codes: list[str]) -> None:
    found = set((await session.execute(text("SELECT code FROM method_code WHERE code = ANY(:c)"), {"c": list(codes)})).scalars())
    for c in codes:
        if c not in found:
            raise Invalid("unknown_method_code", {"code": c})


async def list_methods(session: AsyncSession) -> list[dict[str, Any]]:
    rows = (await session.execute(text("SELECT code, kind, name, name_en FROM method_code ORDER BY code"))).mappings()
    return [dict(r) for r in rows]
