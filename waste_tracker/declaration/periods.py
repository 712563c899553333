"""Declaration periods and their due dates (HJ 1259-2022 §7):

- key units monthly, by the 15th of the next month;
- simplified units quarterly, by the 15th of the first month of the next quarter;
- every unit yearly, by 31 March of the next year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from waste_tracker.errors import Invalid

KINDS = ("month", "quarter", "year")
DUE_DAY = 15


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # inclusive

    @property
    def due_on(self) -> date:
        after = self.end + timedelta(days=1)
        if self.kind == "year":
            return date(after.year, 3, 31)
        return date(after.year, after.month, DUE_DAY)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)


def _next_month(d: date, months: int = 1) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1)


def period(kind: str, start: date) -> Period:
    """The period of ``kind`` starting on ``start`` (which must be its first day)."""
    if kind not in KINDS:
        raise Invalid("validation_error", {"field": "period_kind", "allowed": list(KINDS)})
    aligned = start.day == 1 and (
        kind == "month" or (kind == "quarter" and start.month in (1, 4, 7, 10)) or (kind == "year" and start.month == 1)
    )
    if not aligned:
        raise Invalid("period_not_aligned", {"period_kind": kind, "period_start": str(start)})
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    return Period(kind, start, _next_month(start, months) - timedelta(days=1))


def require_finished(p: Period, today: date) -> None:
    if p.end >= today:
        raise Invalid("period_not_finished", {"period_kind": p.kind, "period_start": str(p.start), "period_end": str(p.end)})


def due_periods(management_class: str | None, year: int, today: date) -> list[Period]:
    """The periods a unit of this class declares for ``year`` that have ended, newest first:
    months for key units, quarters for simplified ones, and the year for every unit."""
    out = [period("year", date(year, 1, 1))]
    if management_class == "key":
        out += [period("month", date(year, m, 1)) for m in range(1, 13)]
    elif management_class == "simplified":
        out += [period("quarter", date(year, m, 1)) for m in (1, 4, 7, 10)]
    return sorted((p for p in out if p.end < today), key=lambda p: (p.start, p.kind != "year"), reverse=True)
