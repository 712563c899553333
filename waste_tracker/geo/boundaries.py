"""Load administrative boundary GeoJSON (DataV GeoAtlas exports) into WGS-84 Shapely geometry.

The files are in GCJ-02; every vertex is converted with the iterative inverse, invalid polygons
(Ningbo and Zhoushan self-intersect) are repaired with ``make_valid``, and the result is always a
MultiPolygon. Parents that no file describes (a province, or Shanghai as a city) are synthesised
as the union of their children.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely import make_valid
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from waste_tracker.geo.gcj02 import gcj02_to_wgs84

LEVELS = {"province": "province", "city": "city", "district": "county"}

# Names of parents that the files reference without describing.
PARENT_NAMES = {
    310000: ("上海市", "Shanghai"),
    320000: ("江苏省", "Jiangsu"),
    330000: ("浙江省", "Zhejiang"),
}
MUNICIPALITIES = {110000, 120000, 310000, 500000}


@dataclass
class Boundary:
    adcode: int
    name: str
    name_en: str
    level: str  # province | city | county
    parent_adcode: int | None
    geom: MultiPolygon


def _to_multipolygon(g: BaseGeometry) -> MultiPolygon:
    if isinstance(g, MultiPolygon):
        return g
    if isinstance(g, Polygon):
        return MultiPolygon([g])
    polys: list[Polygon] = []
    for part in getattr(g, "geoms", []):
        if isinstance(part, Polygon):
            polys.append(part)
        elif isinstance(part, MultiPolygon):
            polys.extend(part.geoms)
    return MultiPolygon(polys)


def _convert(geom: BaseGeometry, datum: str) -> MultiPolygon:
    if datum == "gcj02":
        geom = shapely.transform(geom, gcj02_coords_to_wgs84)
    if not geom.is_valid:
        geom = make_valid(geom)
    return _to_multipolygon(geom)


def gcj02_coords_to_wgs84(coords: np.ndarray) -> np.ndarray:
    """For ``shapely.transform``: an array of GCJ-02 (lon, lat) pairs in WGS-84."""
    return np.array([gcj02_to_wgs84(float(x), float(y)) for x, y in coords], dtype=float).reshape(coords.shape)


# Polyphonic characters that pinyin libraries read wrongly in place names.
NAME_EN_OVERRIDES = {
    "长宁区": "Changning District",
    "闵行区": "Minhang District",
    "长兴县": "Changxing County",
    "苏州工业园区": "Suzhou Industrial Park",
    "蚌埠市": "Bengbu",
}


def english_name(name: str, level: str) -> str:
    """Pinyin name with an English level word, e.g. 海宁市 (county) -> 'Haining City'."""
    from pypinyin import lazy_pinyin

    if name in NAME_EN_OVERRIDES:
        return NAME_EN_OVERRIDES[name]

    suffixes = [
        ("自治县", "Autonomous County"),
        ("新区", "New Area"),
        ("省", "Province"),
        ("市", "City"),
        ("区", "District"),
        ("县", "County"),
    ]
    for zh, en in suffixes:
        if name.endswith(zh) and len(name) > len(zh) + 1:
            base = "".join(lazy_pinyin(name[: -len(zh)])).capitalize()
            if level in ("province", "city") and zh in ("省", "市"):
                return base
            return f"{base} {en}"
    return "".join(lazy_pinyin(name)).capitalize()


def load_file(path: Path, datum: str = "gcj02") -> list[Boundary]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out: list[Boundary] = []
    for feat in data["features"]:
        props = feat["properties"]
        adcode = int(props["adcode"])
        level = LEVELS.get(props.get("level", ""), None)
        if level is None:
            raise ValueError(f"{path}: feature {adcode} has unknown level {props.get('level')!r}")
        parent = props.get("parent") or {}
        parent_adcode = int(parent["adcode"]) if parent.get("adcode") else None
        geom = _convert(shape(feat["geometry"]), datum)
        out.append(Boundary(adcode, props["name"], english_name(props["name"], level), level, parent_adcode, geom))
    return out


def load_files(paths: list[Path], datum: str = "gcj02") -> list[Boundary]:
    """Load several files; synthesise referenced parents that none of them describe."""
    by_code: dict[int, Boundary] = {}
    for p in paths:
        for b in load_file(p, datum):
            by_code[b.adcode] = b
    missing: dict[int, list[Boundary]] = {}
    for b in by_code.values():
        if b.parent_adcode and b.parent_adcode not in by_code:
            missing.setdefault(b.parent_adcode, []).append(b)
    for code, children in missing.items():
        zh, en = PARENT_NAMES.get(code, (str(code), str(code)))
        child_level = children[0].level
        level = "city" if code in MUNICIPALITIES or child_level == "county" else "province"
        if code in MUNICIPALITIES:
            # The municipality is a city here; districts are its counties.
            for c in children:
                c.level = "county"
        geom = _to_multipolygon(make_valid(unary_union([c.geom for c in children])))
        by_code[code] = Boundary(code, zh, en, level, None, geom)
    # A city file may also list its parent province's other cities: keep levels consistent.
    return sorted(by_code.values(), key=lambda b: (["province", "city", "county"].index(b.level), b.adcode))


def bundled_files() -> list[Path]:
    here = Path(__file__).resolve().parent.parent / "data" / "geo"
    return sorted(here.glob("*_full.json"))
