"""An alert's evidence as lines a regulator reads: every field labelled in the page's language,
places and parties named (never a raw id), masses, distances, durations and times with their
units, codes of the rules (decision, stage, kind) translated, lists one item per line.

The evidence itself stays as the rule recorded it (JSON, in the alert); only its display is
shaped here. Labels live in ``messages.json`` as ``evidence.<key>``, values of coded fields as
``evidence_value.<value>``; tests/web/test_evidence_labels.py checks that every key a rule writes
has its label."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from api.web.i18n import gettext, messages
from api.web.render import fmt_dt, fmt_qty
from waste_tracker.models import Site
from waste_tracker.registry.names import jurisdiction_names, organisation_names

Line = tuple[str, list[str]]

# Coded values of these fields are translated (``evidence_value.<value>``, else the event or status name).
CODED = {
    "found",
    "decision",
    "between",
    "before_from",
    "against",
    "kind",
    "reason",
    "type",
    "status",
    "period_kind",
    "event_type",
}
CODED |= {"management_class"}
CODED |= {"contract_kind", "source"}  # the money rules (issue #15)
# Ids shown by their name elsewhere in the same evidence (``*_name``) or of no use to a reader.
HIDDEN = {"plan_id", "ticket_id", "zone_id", "route_id", "event_seq", "nearest_other_site_id", "nearest_site_id"}
HIDDEN |= {"number"}  # the manifest's number heads the page
_SEPARATORS = {False: ("：", "；", "、"), True: (": ", "; ", ", ")}
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


class _Names:
    """Names of the places and parties an evidence mentions, looked up once per page."""

    def __init__(self, places: dict[int, str], orgs: dict[uuid.UUID, str], sites: dict[uuid.UUID, str]) -> None:
        self.places, self.orgs, self.sites = places, orgs, sites


def _shown(d: dict[str, Any]) -> list[str]:
    """The keys worth a reader's eye: no internal ids, no code beside its own name."""
    return [k for k in d if k not in HIDDEN and f"{k}_name" not in d and not (k.endswith("_id") and f"{k[:-3]}_name" in d)]


def _walk(value: Any, key: str = "") -> Iterable[tuple[str, Any]]:
    yield key, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v, key)


def _as_uuid(v: Any) -> uuid.UUID | None:
    if isinstance(v, str) and _UUID.match(v):
        return uuid.UUID(v)
    return None


async def _names(session: AsyncSession, evidence: dict[str, Any], lang: str) -> _Names:
    places = [v for k, v in _walk(evidence) if k.endswith(("_county", "_city", "county")) and isinstance(v, int)]
    orgs = [u for k, v in _walk(evidence) if k.endswith("_org_id") and (u := _as_uuid(v))]
    site_ids = [u for k, v in _walk(evidence) if k.endswith("site_id") and (u := _as_uuid(v))]
    sites: dict[uuid.UUID, str] = {}
    if site_ids:
        rows = await session.execute(select(Site.id, Site.name).where(col(Site.id).in_(sorted(set(site_ids)))))
        sites = dict(rows.all())  # type: ignore[arg-type]
    return _Names(await jurisdiction_names(session, places, lang), await organisation_names(session, orgs), sites)


def label(key: str, lang: str) -> str:
    known = messages()
    return gettext(lang, f"evidence.{key}") if f"evidence.{key}" in known else key


def _coded(v: Any, lang: str) -> str:
    known = messages()
    for family in ("evidence_value", "evidence_reason", "event", "status", "zkind", "kind", "class"):
        if f"{family}.{v}" in known:
            return gettext(lang, f"{family}.{v}")
    return str(v)


def _number(v: Any) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return f"{f:,.1f}".rstrip("0").rstrip(".") if f != int(f) else f"{int(f):,}"


def value(key: str, v: Any, lang: str, names: _Names) -> str:
    """One value as text, by what its key says it is."""
    t = lambda k, **kw: gettext(lang, k, **kw)  # noqa: E731
    if v is None:
        return t("evidence.none")
    if isinstance(v, bool):
        return t("evidence_value.yes") if v else t("evidence_value.no")
    if isinstance(v, dict) and v.get("type") == "Point":
        lon, lat = (v.get("coordinates") or [None, None])[:2]
        return t("evidence_value.point", lon=f"{lon:.5f}", lat=f"{lat:.5f}") if lon is not None else "—"
    if isinstance(v, dict):
        colon, semi, _ = _SEPARATORS[lang == "en"]
        return semi.join(f"{label(k, lang)}{colon}{value(k, v[k], lang, names)}" for k in _shown(v))
    if isinstance(v, list):
        return _SEPARATORS[lang == "en"][2].join(value(key, x, lang, names) for x in v) or "—"
    if key.endswith(("_county", "_city")) or key == "county":
        return names.places.get(v, str(v)) if isinstance(v, int) else str(v)
    if (u := _as_uuid(v)) is not None:
        return names.orgs.get(u) or names.sites.get(u) or t("evidence_value.unknown_party")
    if key in CODED:
        return _coded(v, lang)
    if key.endswith("_kg"):
        return fmt_qty(v)
    if key.endswith("_t"):
        return f"{_number(v)} t"
    if key.endswith("_km") or key == "km":
        return f"{_number(v)} km"
    if key.endswith("_m"):
        return f"{_number(float(v) / 1000)} km" if float(v) >= 1000 else f"{_number(v)} m"
    if key.endswith(("_percent", "percent")):
        return f"{_number(v)} %"
    if key.endswith("minutes"):
        return t("evidence_value.minutes", n=_number(v))
    if key.endswith("hours"):
        return t("evidence_value.hours", n=_number(v))
    if key.endswith("months"):
        return t("evidence_value.months", n=_number(v))
    if key.endswith("working_days"):
        return t("evidence_value.working_days", n=_number(v))
    if key.endswith(("days", "days_late")):
        return t("evidence_value.days", n=_number(v))
    if key.endswith("kmh"):
        return f"{_number(v)} km/h"
    if isinstance(v, datetime):
        return fmt_dt(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, str) and _ISO_TIME.match(v):
        try:
            return fmt_dt(datetime.fromisoformat(v))
        except ValueError:
            return v
    return str(v)


async def evidence_lines(session: AsyncSession, evidence: dict[str, Any], lang: str) -> list[Line]:
    """Labelled lines; a list of records (scans, stops, gaps, lines of a receipt) one per line."""
    names = await _names(session, evidence, lang)
    out: list[Line] = []
    for k in _shown(evidence):
        v = evidence[k]
        if isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            out.append((label(k, lang), [value(k, x, lang, names) for x in v]))
        else:
            out.append((label(k, lang), [value(k, v, lang, names)]))
    return out


__all__ = ["evidence_lines", "label", "value"]
