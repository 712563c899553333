"""National manifest numbers (危险废物转移管理办法 Art. 15): year (4) + province (2) + prefecture (2)
+ a 6-digit serial within the prefecture and year, e.g. 20263304000001.

The serial row is incremented with ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` inside the
submitting transaction: the row lock serialises concurrent submitters of one prefecture, and a
rolled-back submission rolls its increment back, so serials are gap-free.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker import clock
from waste_tracker.errors import Conflict


def format_number(year: int, city_adcode: int, serial: int) -> str:
    prefecture = f"{city_adcode // 100:04d}"  # 330400 -> "3304"
    if not 1 <= serial <= 999_999:
        raise Conflict("manifest_serial_exhausted", {"prefecture": prefecture, "year": year})
    return f"{year:04d}{prefecture}{serial:06d}"


async def next_number(session: AsyncSession, city_adcode: int, when: datetime) -> str:
    year = clock.local(when).year  # the Shanghai year: a submission at 00:01 on 1 January counts in the new year
    prefecture = f"{city_adcode // 100:04d}"
    serial = (
        await session.execute(
            text(
                """
        INSERT INTO manifest_serial (prefecture, year, last_serial) VALUES (:p, :y, 1)
        ON CONFLICT (prefecture, year) DO UPDATE SET last_serial = manifest_serial.last_serial + 1
        RETURNING last_serial
        """
            ),
            {"p": prefecture, "y": year},
        )
    ).scalar_one()
    return format_number(year, city_adcode, serial)
