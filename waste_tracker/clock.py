"""The one clock of the service: what time it is, and which calendar day that is in Asia/Shanghai.

Every party works in China Standard Time, so a "day" (a disposal date, a receipt deadline, a
manifest number's year, an anchor's day, a KPI window) is always a Shanghai calendar day, never
the machine's or UTC's. Everything that needs the time asks this module; tests move it with
``frozen(...)`` (or ``set_clock``) to run date-sensitive paths at 23:59 and 00:01 Shanghai time.

Stored times are UTC-aware ``datetime``s; only the conversion to a calendar day uses the zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from waste_tracker.errors import Invalid

ZONE_NAME = "Asia/Shanghai"
SHANGHAI = ZoneInfo(ZONE_NAME)
# For SQL: ``(t AT TIME ZONE '<zone>')::date`` is the Shanghai day of a timestamptz ``t``.
SQL_ZONE = f"'{ZONE_NAME}'"
# The calendar the service accepts in filters and dates: wide enough for any record, narrow enough
# that a window's end (day + 1) and its time zone conversion never overflow.
MIN_DAY = date(1900, 1, 1)
MAX_DAY = date(2999, 12, 31)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that stands still until moved: for tests and for replaying a day."""

    at: datetime

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at = self.at + timedelta(**delta)
        return self.at

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self.at = at


_clock: Clock = SystemClock()


def set_clock(clock: Clock) -> Clock:
    """Install ``clock`` process-wide; returns the one it replaced."""
    global _clock
    previous, _clock = _clock, clock
    return previous


@contextmanager
def frozen(at: datetime) -> Iterator[FixedClock]:
    """Run the block with the time standing at ``at`` (move it with ``.advance``/``.set``)."""
    fixed = FixedClock(at)
    previous = set_clock(fixed)
    try:
        yield fixed
    finally:
        set_clock(previous)


def now() -> datetime:
    """The current instant (UTC-aware unless the installed clock says otherwise)."""
    return _clock.now()


def local(t: datetime) -> datetime:
    """``t`` in Shanghai time."""
    return t.astimezone(SHANGHAI)


def local_date(t: datetime) -> date:
    """The Shanghai calendar day of the instant ``t``."""
    return t.astimezone(SHANGHAI).date()


def today() -> date:
    """Today in Shanghai."""
    return local_date(now())


def check_day(day: date, field: str = "date") -> date:
    """``day`` if it lies in the service's calendar (``MIN_DAY``..``MAX_DAY``), else ``date_out_of_range``.

    Year 1 and year 9999 are valid Python dates whose windows cannot be computed (midnight of
    year 1 in Shanghai is before UTC's year 1; the day after 9999-12-31 does not exist)."""
    if not MIN_DAY <= day <= MAX_DAY:
        raise Invalid("date_out_of_range", {"field": field, "value": str(day), "min": str(MIN_DAY), "max": str(MAX_DAY)})
    return day


def start_of(day: date) -> datetime:
    """Midnight at the start of a Shanghai day, as an aware instant (``date_out_of_range`` outside
    the service's calendar)."""
    if not MIN_DAY <= day <= MAX_DAY + timedelta(days=1):
        check_day(day)
    return datetime.combine(day, time.min, SHANGHAI)


def end_of(day: date, field: str = "date_to") -> datetime:
    """Midnight at the end of a Shanghai day (the start of the next): the exclusive end of a window."""
    return start_of(check_day(day, field) + timedelta(days=1))


def day_window(first: date, last: date) -> tuple[datetime, datetime]:
    """``[first 00:00, last+1 00:00)`` in Shanghai time: the instants of the days first..last."""
    return start_of(check_day(first, "date_from")), end_of(last)


def year_window(year: int) -> tuple[datetime, datetime]:
    """The instants of a Shanghai calendar year."""
    return start_of(date(year, 1, 1)), start_of(date(year + 1, 1, 1))


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An instant given as Shanghai wall-clock time (for tests, seeds and examples)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)
