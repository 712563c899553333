"""Unified social credit code (统一社会信用代码, GB 32100-2015).

18 characters from a 31-character alphabet (no I, O, Z, S, V); the 18th is a check character:
weights 3^i mod 31 over the first 17 values, check = (31 - sum mod 31) mod 31.
"""

from __future__ import annotations

from waste_tracker.errors import Invalid

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


def check_character(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(raw: str) -> str:
    """Return the canonical (upper-case, trimmed) code or raise ``invalid_uscc`` with the reason.

    Lower-case input is accepted and upper-cased: people type it that way, and the standard's
    alphabet has no case distinction to lose.
    """
    if not isinstance(raw, str):
        raise Invalid("invalid_uscc", {"reason": "not a string", "reason_code": "type"})
    code = raw.strip().upper()
    if len(code) != 18:
        raise Invalid(
            "invalid_uscc",
            {"reason": f"must be 18 characters, got {len(code)}", "reason_code": "length", "value": raw[:40]},
        )
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        raise Invalid(
            "invalid_uscc",
            {"reason": f"characters not allowed: {''.join(bad)}", "reason_code": "alphabet", "value": raw},
        )
    if not code[2:8].isdigit():
        raise Invalid(
            "invalid_uscc",
            {"reason": "characters 3-8 must be a region code (digits)", "reason_code": "region", "value": raw},
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise Invalid(
            "invalid_uscc",
            {"reason": f"check character should be {expected}", "reason_code": "check_character", "value": raw},
        )
    return code


def make_uscc(region: str, body: str, authority: str = "9", kind: str = "1") -> str:
    """Build a valid code (demo data and tests): authority, kind, 6-digit region, 9-char body."""
    first17 = f"{authority}{kind}{region}{body}"
    if len(first17) != 17:
        raise ValueError("region must be 6 and body 9 characters")
    return first17 + check_character(first17)
