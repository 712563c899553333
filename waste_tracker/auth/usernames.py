"""Usernames as compared: one canonical key, so that look-alikes cannot be two accounts.

The key is the NFKC normalisation, case-folded (close to RFC 8265's UsernameCaseMapped profile).
A username must already be in NFKC form: characters with a compatibility mapping (the Kelvin sign
K, full-width letters, ligatures) are refused when an account is created and never match at
log-in, so "ＡＤＭＩＮ" or "K" cannot log in as "admin" or "k".
"""

from __future__ import annotations

import unicodedata

MAX_LENGTH = 64


def canonical(username: str) -> str | None:
    """The key ``username`` is stored and compared under, or None if it cannot be a username
    (not in NFKC form, control or space characters, empty, too long)."""
    if not username or len(username) > MAX_LENGTH or unicodedata.normalize("NFKC", username) != username:
        return None
    if any(unicodedata.category(c)[0] in ("C", "Z") for c in username):
        return None
    return username.casefold()[:MAX_LENGTH]


def failure_key(username: str) -> str:
    """What a failed log-in is counted under: the canonical key, or (for a name that can be no
    account's) the typed name folded and cut to the column, stored and compared the same way."""
    return canonical(username) or unicodedata.normalize("NFKC", username).casefold()[:MAX_LENGTH]
