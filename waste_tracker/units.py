"""Masses: every quantity is stored and compared in kilograms (to the gram); tonnes are only an
input unit and a display unit. The one place that knows how many kilograms a tonne is."""

from __future__ import annotations

from decimal import Decimal

from waste_tracker.errors import Invalid

KG_PER = {"kg": Decimal(1), "t": Decimal(1000)}
UNITS = tuple(KG_PER)
GRAM = Decimal("0.001")
MAX_LINE_KG = Decimal("1000000")  # 1,000 t on one line is already far beyond any truck


def in_kg(quantity: Decimal | int | float | str, unit: str) -> Decimal:
    """``quantity`` of ``unit`` in kilograms, exactly (no rounding, no range check)."""
    if unit not in KG_PER:
        raise Invalid("validation_error", {"field": "unit", "allowed": list(UNITS)})
    return Decimal(str(quantity)) * KG_PER[unit]


def to_kg(quantity: Decimal | int | float | str, unit: str, *, max_kg: Decimal | None = MAX_LINE_KG) -> Decimal:
    """A positive quantity in kilograms, to the gram; above ``max_kg`` (a line's limit unless
    told otherwise) it is ``quantity_out_of_range``."""
    q = in_kg(quantity, unit)
    if not q.is_finite() or q <= 0 or (max_kg is not None and q > max_kg):
        raise Invalid(
            "quantity_out_of_range",
            {"quantity": str(quantity), "unit": unit, "min_kg": "0.001", "max_kg": str(max_kg)},
        )
    return q.quantize(GRAM)


def kg_to_t(kg: Decimal | int) -> Decimal:
    return Decimal(kg) / KG_PER["t"]


def t_to_kg(tonnes: Decimal | int) -> Decimal:
    return Decimal(tonnes) * KG_PER["t"]
