"""The HJ 1276-2022 identification code (数字识别码): four segments, 37 characters.

    segment 1  18  the generating unit's unified social credit code (GB 32100)
    segment 2   8  the waste code without hyphens: 900-249-08 -> 90024908 (HJ 1276 uses the
                   8-digit catalogue code); a general-waste category (SW07) is padded with
                   zeros to 8 (SW070000) — our convention, HJ 1276 covers hazardous waste only
    segment 3   8  the generation date, YYYYMMDD (Asia/Shanghai calendar)
    segment 4   3  the sequence of that unit's containers of that waste on that day, 001–999

Every character is an upper-case letter or digit, so the code fits a QR code's alphanumeric
mode and is read unambiguously off a printed label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from waste_tracker.errors import Invalid

LENGTH = 37
MAX_SEQUENCE = 999
_PATTERN = re.compile(r"^([0-9A-Z]{18})([0-9A-Z]{8})(\d{8})(\d{3})$")


@dataclass(frozen=True)
class IdentificationCode:
    unit: str
    waste: str
    day: date
    sequence: int

    def __str__(self) -> str:
        return f"{self.unit}{self.waste}{self.day:%Y%m%d}{self.sequence:03d}"

    def segments(self) -> list[str]:
        s = str(self)
        return [s[:18], s[18:26], s[26:34], s[34:]]


def waste_segment(waste_code: str) -> str:
    compact = waste_code.replace("-", "").upper()
    if not re.fullmatch(r"[0-9A-Z]{1,8}", compact):
        raise Invalid("unknown_waste_code", {"code": waste_code})
    return compact.ljust(8, "0")


def build(uscc: str, waste_code: str, day: date, sequence: int) -> IdentificationCode:
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise Invalid("container_sequence_exhausted", {"waste_code": waste_code, "day": str(day), "max": MAX_SEQUENCE})
    unit = uscc.upper()
    if not re.fullmatch(r"[0-9A-Z]{18}", unit):
        raise Invalid("invalid_uscc", {"uscc": uscc})
    return IdentificationCode(unit, waste_segment(waste_code), day, sequence)


def parse(code: str) -> IdentificationCode | None:
    """The segments of a code read off a label (None if it is not one)."""
    m = _PATTERN.fullmatch(code.strip().upper())
    if not m:
        return None
    try:
        day = date(int(m[3][:4]), int(m[3][4:6]), int(m[3][6:]))
    except ValueError:
        return None
    return IdentificationCode(m[1], m[2], day, int(m[4]))
