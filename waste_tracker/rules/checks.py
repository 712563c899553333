"""Event rules as pure functions of a snapshot: no database, unit-tested directly.

Each returns the evidence (a JSON-safe dict) when the rule fires, else None. Evidence numbers are
strings or integers so they hash and compare exactly.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from waste_tracker import units


def long_distance(kind: str, distance_m: float | None, t: dict[str, Any]) -> dict[str, Any] | None:
    if distance_m is None:
        return None
    limit_km = float(t["hazardous_km"] if kind == "hazardous" else t["general_km"])
    if distance_m / 1000 <= limit_km:
        return None
    return {"distance_km": f"{distance_m / 1000:.1f}", "threshold_km": f"{limit_km:g}", "kind": kind}


def nearer_capacity_ignored(chosen_m: float | None, nearest_m: float | None, t: dict[str, Any]) -> dict[str, Any] | None:
    if chosen_m is None or nearest_m is None:
        return None
    ratio, extra_km = float(t["ratio"]), float(t["extra_km"])
    if chosen_m > ratio * nearest_m and (chosen_m - nearest_m) / 1000 > extra_km:
        return {
            "chosen_km": f"{chosen_m / 1000:.1f}",
            "nearest_km": f"{nearest_m / 1000:.1f}",
            "ratio": f"{ratio:g}",
            "extra_km": f"{extra_km:g}",
        }
    return None


def quantity_discrepancy(
    declared: Decimal, picked: Decimal | None, received: Decimal | None, t: dict[str, Any]
) -> dict[str, Any] | None:
    """Fires when any two known quantities differ by more than both tolerances (percent of the
    larger, and absolute kilograms): small loads are not flagged for a few kilograms, large loads
    not for scale noise."""
    pct, kg = Decimal(str(t["percent"])), Decimal(str(t["kg"]))
    given = [("declared", declared), ("picked_up", picked), ("received", received)]
    known = [(n, q) for n, q in given if q is not None]
    worst: tuple[str, str, Decimal, Decimal] | None = None
    for i in range(len(known)):
        for j in range(i + 1, len(known)):
            (na, a), (nb, b) = known[i], known[j]
            diff = abs(a - b)
            base = max(a, b)
            if diff > kg and base > 0 and diff * 100 / base > pct and (worst is None or diff > worst[2]):
                worst = (na, nb, diff, diff * 100 / base)
    if worst is None:
        return None
    return {
        "declared_kg": f"{declared:.3f}",
        "picked_up_kg": f"{picked:.3f}" if picked is not None else None,
        "received_kg": f"{received:.3f}" if received is not None else None,
        "between": [worst[0], worst[1]],
        "difference_kg": f"{worst[2]:.3f}",
        "difference_percent": f"{worst[3]:.1f}",
        "tolerance_percent": f"{pct}",
        "tolerance_kg": f"{kg}",
    }


def left_jurisdiction(
    *,
    kind: str,
    generator_county: int,
    generator_city: int,
    actual_county: int | None,
    actual_city: int | None,
    receiver_county: int,
    receiver_city: int,
    exemption_scope: str | None,
) -> tuple[str, dict[str, Any]] | None:
    """(rule id, evidence) when waste actually ended up outside its county (general) or city
    (hazardous) without an exemption covering that destination. An exemption names a receiver,
    so it covers only a drop-off in the receiver's county/city."""
    if actual_county is None:
        return None  # a drop-off outside every known county is reported by dropoff_not_at_receiver
    if kind == "hazardous":
        if actual_city == generator_city:
            return None
        if exemption_scope == "cross_city" and actual_city == receiver_city:
            return None
        return "hazardous_left_city", {
            "generator_city": generator_city,
            "dropoff_city": actual_city,
            "dropoff_county": actual_county,
            "exemption": exemption_scope,
        }
    if actual_county == generator_county:
        return None
    if exemption_scope == "cross_county" and actual_county == receiver_county:
        return None
    return "solid_waste_left_county", {
        "generator_county": generator_county,
        "dropoff_county": actual_county,
        "exemption": exemption_scope,
    }


def dropoff_not_at_receiver(
    distance_to_receiver_m: float, nearest_other: tuple[str, str, float] | None, geofence_m: float, t: dict[str, Any]
) -> dict[str, Any] | None:
    """Fires when the drop-off is far from the named receiver, or (beyond the geofence) nearer to
    another registered site — the signature of waste delivered somewhere else."""
    far_m = float(t["far_m"])
    evidence = {"distance_to_receiver_m": f"{distance_to_receiver_m:.1f}", "far_m": f"{far_m:g}"}
    if nearest_other is not None:
        evidence |= {
            "nearest_other_site_id": nearest_other[0],
            "nearest_other_site_name": nearest_other[1],
            "distance_to_nearest_other_m": f"{nearest_other[2]:.1f}",
        }
    if distance_to_receiver_m > far_m:
        return evidence | {"reason": "far_from_receiver"}
    if nearest_other is not None and distance_to_receiver_m > geofence_m and nearest_other[2] < distance_to_receiver_m:
        return evidence | {"reason": "nearer_to_another_site"}
    return None


def over_capacity(received_kg_this_year: Decimal, capacity_t: Decimal) -> dict[str, Any] | None:
    if received_kg_this_year <= units.t_to_kg(capacity_t):
        return None
    return {"received_t": f"{units.kg_to_t(received_kg_this_year):.3f}", "capacity_t": f"{capacity_t:.3f}"}


def more_than_stored(waste_code: str, declared_kg: Decimal, stored_kg: Decimal, t: dict[str, Any]) -> dict[str, Any] | None:
    """A manifest's quantity of a code beyond what the ledger holds in storage, by more than both
    tolerances (percent of the declared quantity, and kilograms)."""
    excess = Decimal(declared_kg) - Decimal(stored_kg)
    pct, kg = Decimal(str(t["percent"])), Decimal(str(t["kg"]))
    if excess <= kg or excess * 100 <= pct * Decimal(declared_kg):
        return None
    return {
        "waste_code": waste_code,
        "declared_kg": f"{Decimal(declared_kg):.3f}",
        "stored_kg": f"{Decimal(stored_kg):.3f}",
        "excess_kg": f"{excess:.3f}",
    }
