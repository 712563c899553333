"""What the events say the manifest row and its lines must be, and where the stored ones differ.

Every page, list, label and export reads ``manifest`` and ``manifest_line``; the event log is the
record. Verification therefore replays the events into the columns they determine and compares
them with what is stored, field by field: a plain ``UPDATE`` of a status, a quantity or a line's
description is as visible as an edited event.

``replayed(events)`` is pure (no SQL); ``compare`` names every differing field with the stored and
the replayed value. Columns that no event records (e.g. ``created_at``, and for a draft the
counties, which are derived from the sites until the submission records them) are not judged.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from waste_tracker.manifest.chain import Break
from waste_tracker.manifest.lifecycle import PROJECTED_FIELDS, EventType, ManifestState, evolve

# The plan a draft event records, column by column (the manifest's own columns of the same name).
_DRAFT_COLUMNS = (
    "generator_site_id",
    "carrier_org_id",
    "receiver_site_id",
    "planned_method_code",
    "planned_pickup_date",
    "emergency_measures",
    "emergency_contact",
    "emergency_phone",
    "notes",
    "kind",
)
# Recorded by drafts since issue #14 (earlier events have neither: the columns stay empty).
_OPTIONAL_DRAFT_COLUMNS = ("planned_vehicle_plate", "planned_driver_id")
# What the submission records, with the payload key it comes from.
_SUBMITTED_COLUMNS = {
    "licence_id": "licence_id",
    "permit_id": "permit_id",
    "distance_m": "distance_m",
    "generator_county": "generator_county",
    "receiver_county": "receiver_county",
    "generator_city": "generator_city",
    "receiver_city": "receiver_city",
}
ROW_COLUMNS = (
    *PROJECTED_FIELDS,
    "number",
    "child_manifest_id",
    "purpose",
    "last_hash",
    "generator_org_id",
    "receiver_org_id",
    "pickup_site_id",
    "parent_manifest_id",
    "exemption_id",
    *_DRAFT_COLUMNS,
    *_OPTIONAL_DRAFT_COLUMNS,
    "handover_carrier_org_ids",
    "handover_site_ids",
    *_SUBMITTED_COLUMNS,
)
LINE_COLUMNS = (
    "waste_code",
    "category_code",
    "kind",
    "description",
    "physical_form",
    "hazard_characteristics",
    "declared_kg",
    "container_type",
    "container_count",
    "received_kg",
    "accepted_kg",
)
_ID_COLUMNS = frozenset(
    {
        "generator_site_id",
        "carrier_org_id",
        "receiver_site_id",
        "licence_id",
        "permit_id",
        "exemption_id",
        "generator_org_id",
        "receiver_org_id",
        "pickup_site_id",
        "parent_manifest_id",
        "child_manifest_id",
        "planned_driver_id",
    }
)
_KG = frozenset({"declared_kg", "received_kg", "accepted_kg"})

# The stored projection of some manifests, as the verifier reads it: the row's judged columns and
# the lines as JSON (numbers parsed as decimals). ``{ids}`` is the driver's placeholder for an array.
STORED_SQL = f"""SELECT m.id, {", ".join(f"m.{c}" for c in ROW_COLUMNS)},
    (SELECT json_agg(json_build_object('line_no', l.line_no, {", ".join(f"'{c}', l.{c}" for c in LINE_COLUMNS)})
                     ORDER BY l.line_no)
       FROM manifest_line l WHERE l.manifest_id = m.id)::text AS lines
    FROM manifest m WHERE m.id = ANY({{ids}})"""


class InvalidPayload(Exception):
    """An event whose payload cannot be what the service wrote (a missing key, a wrong type)."""

    def __init__(self, seq: int, reason: str) -> None:
        super().__init__(reason)
        self.seq = seq
        self.reason = reason


@dataclass
class Replayed:
    """The manifest as its events make it: the judged row columns and the lines by number."""

    row: dict[str, Any] = field(default_factory=dict)
    lines: dict[int, dict[str, Any]] = field(default_factory=dict)


def _dec(v: Any) -> Decimal | None:
    return None if v is None else Decimal(str(v))


def _line(ln: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
    out = {c: ln[c] for c in LINE_COLUMNS if c in ln}
    out["declared_kg"] = _dec(ln["declared_kg"])
    out["container_count"] = int(ln["container_count"])
    out.setdefault("received_kg", None)
    out.setdefault("accepted_kg", None)
    return int(ln["line_no"]), out


def _fold_columns(r: Replayed, e: Mapping[str, Any], p: Mapping[str, Any]) -> None:
    """The columns (other than the lifecycle state's) that one event sets."""
    t = e["type"]
    if t in (EventType.CREATED, EventType.DRAFT_UPDATED):
        for c in _DRAFT_COLUMNS:
            r.row[c] = p[c]
        for c in _OPTIONAL_DRAFT_COLUMNS:
            r.row[c] = p.get(c)
        r.row["planned_pickup_date"] = date.fromisoformat(p["planned_pickup_date"])
        r.lines = dict(_line(ln) for ln in p["lines"])
        handovers = p.get("handovers") or []  # events written before handovers existed have none
        r.row["handover_carrier_org_ids"] = [h["carrier_org_id"] for h in handovers]
        r.row["handover_site_ids"] = [h["site_id"] for h in handovers]
        if t == EventType.CREATED:
            r.row["generator_org_id"] = e["actor_org_id"]
            r.row["pickup_site_id"] = p["pickup_site_id"]
            r.row["parent_manifest_id"] = p.get("parent_manifest_id")
        elif r.row["purpose"] == "transfer" and r.row.get("parent_manifest_id") is None:
            r.row["pickup_site_id"] = p["generator_site_id"]  # an edited transfer is picked up where it is now generated
    elif t == EventType.SUBMITTED:
        for c, k in _SUBMITTED_COLUMNS.items():
            if k in p:
                r.row[c] = p[k]
        if "distance_m" in r.row:
            r.row["distance_m"] = _dec(r.row["distance_m"])
        r.row["exemption_id"] = (p.get("exemption") or {}).get("id")
        receiver = (p.get("parties") or {}).get("receiver") or {}
        if "organisation_id" in receiver:
            r.row["receiver_org_id"] = receiver["organisation_id"]
    elif t == EventType.RECEIVED:
        for ln in p["lines"]:
            no = int(ln["line_no"])
            if no not in r.lines:
                raise InvalidPayload(e["seq"], f"received line {no} is not on the manifest")
            r.lines[no] |= {"received_kg": _dec(ln["received_kg"]), "accepted_kg": _dec(ln["accepted_kg"])}


def replayed(events: Iterable[Mapping[str, Any]]) -> Replayed:
    """Fold the events (in seq order, chain already checked) into the columns they determine.
    Raises ``InvalidPayload`` at the first event the service could not have written."""
    state = ManifestState()
    r = Replayed()
    last_hash = None
    for e in events:
        p = e.get("payload")
        try:
            if not isinstance(p, dict):
                raise TypeError("the payload is not an object")
            state = evolve(state, e)
            r.row["purpose"] = state.purpose
            _fold_columns(r, e, p)
        except InvalidPayload:
            raise
        except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as exc:
            raise InvalidPayload(e["seq"], f"{type(exc).__name__}: {exc}") from exc
        last_hash = e["hash"]
    r.row |= {k: getattr(state, k) for k in PROJECTED_FIELDS}
    r.row |= {
        "status": str(state.status) if state.status else None,
        "number": state.number,
        "child_manifest_id": state.child_manifest_id,
        "last_hash": last_hash,
    }
    return r


def _norm(column: str, v: Any) -> Any:
    """One comparable form for a stored and a replayed value of ``column``."""
    if v is None:
        return None
    if column in _ID_COLUMNS:
        return str(uuid.UUID(str(v)))
    if column == "distance_m":
        return f"{Decimal(str(v)):.1f}"
    if isinstance(v, Decimal | int | float) and not isinstance(v, bool):
        return Decimal(str(v))
    if isinstance(v, datetime | date):
        return v
    if isinstance(v, list):
        return [str(x) for x in v]  # uuids as stored and as the payload's strings compare alike
    return v


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(v, datetime | date):
        return v.isoformat()
    return str(v)


def compare(
    manifest_id: str, r: Replayed, stored_row: Mapping[str, Any], stored_lines: Sequence[Mapping[str, Any]] | None
) -> list[Break]:
    """Every field where the stored projection differs from the replay: ``head_mismatch`` first
    (version or last hash: events missing at the end), then ``projection_mismatch`` per field."""
    seq = int(r.row.get("version") or 0)
    out: list[Break] = []
    head = [c for c in ("version", "last_hash") if _norm(c, stored_row[c]) != _norm(c, r.row[c])]
    if head:
        stored = f"{stored_row['version']}:{stored_row['last_hash']}"
        out.append(Break(manifest_id, seq, "head_mismatch", f"{r.row['version']}:{r.row['last_hash']}", stored))
    for c in ROW_COLUMNS:
        if c in head or c not in r.row:
            continue
        a, b = _norm(c, stored_row[c]), _norm(c, r.row[c])
        if a != b:
            out.append(Break(manifest_id, seq, "projection_mismatch", _text(r.row[c]), _text(stored_row[c]), field=c))
    stored_by_no = {int(ln["line_no"]): ln for ln in stored_lines or []}
    for no in sorted(stored_by_no.keys() | r.lines.keys()):
        want, got = r.lines.get(no), stored_by_no.get(no)
        if want is None or got is None:
            out.append(
                Break(manifest_id, seq, "projection_mismatch", _text(want), _text(got), field=f"lines[{no}]"),
            )
            continue
        for c in LINE_COLUMNS:
            if _norm(c, got.get(c)) != _norm(c, want.get(c)):
                out.append(
                    Break(
                        manifest_id, seq, "projection_mismatch", _text(want.get(c)), _text(got.get(c)), field=f"lines[{no}].{c}"
                    )
                )
    return out


def stored_lines(text_value: str | None) -> list[dict[str, Any]]:
    """The ``lines`` column of ``STORED_SQL`` (JSON text, numbers as decimals)."""
    return json.loads(text_value, parse_float=Decimal) if text_value else []
