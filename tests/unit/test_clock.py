"""The one clock: Shanghai days at the edges of the UTC day, windows, and injection."""

from datetime import UTC, date, datetime, timedelta

import pytest

from waste_tracker import clock


@pytest.mark.parametrize(
    ("utc", "shanghai_day"),
    [
        (datetime(2027, 6, 15, 15, 59, tzinfo=UTC), date(2027, 6, 15)),  # 23:59 in Shanghai
        (datetime(2027, 6, 15, 16, 1, tzinfo=UTC), date(2027, 6, 16)),  # 00:01 next day in Shanghai, same UTC day
        (datetime(2027, 12, 31, 16, 1, tzinfo=UTC), date(2028, 1, 1)),  # the new year starts 8 h before UTC's
    ],
)
def test_local_date_is_the_shanghai_day(utc: datetime, shanghai_day: date) -> None:
    assert clock.local_date(utc) == shanghai_day
    with clock.frozen(utc):
        assert clock.today() == shanghai_day
        assert clock.now() == utc


def test_frozen_clock_moves_only_when_told_and_is_restored() -> None:
    before = clock.now()
    with clock.frozen(clock.at(2027, 12, 31, 23, 59)) as c:
        assert clock.today() == date(2027, 12, 31)
        c.advance(minutes=2)
        assert clock.today() == date(2028, 1, 1)
        assert clock.local(clock.now()).hour == 0
    assert clock.now() >= before  # the system clock is back
    assert abs((clock.now() - datetime.now(UTC)).total_seconds()) < 5


def test_fixed_clock_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.FixedClock(datetime(2027, 1, 1))  # noqa: DTZ001 - the point of the test


def test_windows_are_shanghai_days() -> None:
    start, end = clock.day_window(date(2027, 12, 31), date(2027, 12, 31))
    assert start == datetime(2027, 12, 30, 16, tzinfo=UTC)
    assert end - start == timedelta(days=1)
    ys, ye = clock.year_window(2028)
    assert ys == datetime(2027, 12, 31, 16, tzinfo=UTC) and ye == datetime(2028, 12, 31, 16, tzinfo=UTC)
    assert clock.start_of(date(2027, 1, 1)).utcoffset() == timedelta(hours=8)
