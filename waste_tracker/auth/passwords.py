"""Passwords: Argon2id hashing (argon2-cffi's RFC 9106 low-memory profile) and the policy of
NIST SP 800-63B §5.1.1.2.

The policy: at least ``MIN_LENGTH`` characters (Unicode code points), at most ``MAX_LENGTH``;
taken exactly as typed (never stripped or changed: spaces count); not a common password (the
bundled breach list, ``data/common_passwords.txt``), not the username, and not one character
repeated. No composition rules (NIST advises against them).
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from waste_tracker.errors import Invalid

_hasher = PasswordHasher()
# A real hash to verify against when the user does not exist, so timing does not reveal usernames.
_DUMMY = _hasher.hash("not-a-real-password")

MIN_LENGTH = 10
MAX_LENGTH = 256


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@cache
def common_passwords() -> frozenset[str]:
    text = files("waste_tracker").joinpath("data/common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def _fold(s: str) -> str:
    return unicodedata.normalize("NFKC", s).casefold()


def check_password(password: str, username: str = "", field: str = "password") -> None:
    """Refuse a password the policy does not allow, with the reason (``weak_password``, 422)."""
    reason = None
    if len(password) < MIN_LENGTH:
        reason = "too_short"
    elif len(password) > MAX_LENGTH:
        reason = "too_long"
    elif _fold(password) in common_passwords():
        reason = "common"
    elif username and _fold(username) in _fold(password) and len(_fold(password)) - len(_fold(username)) < 4:
        reason = "username"  # the username itself, or with a few characters around it
    elif len(set(password)) == 1:
        reason = "repeated"
    if reason:
        raise Invalid("weak_password", {"field": field, "reason": reason, "min_length": MIN_LENGTH})
