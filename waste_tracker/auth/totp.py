"""Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) and recovery codes.

What authenticator apps (Google Authenticator, Microsoft Authenticator, 腾讯身份验证器 ...) read
from the ``otpauth://`` URI. A code is accepted for the step before, the current step and the step
after (clock drift), and each step at most once (``last_step``), so an overheard code cannot be
replayed. Recovery codes are random, shown once, stored as SHA-256, each usable once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from datetime import datetime
from urllib.parse import quote

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
ISSUER = "waste-tracker 固废追踪"
RECOVERY_CODES = 10


def new_secret() -> str:
    """A random 160-bit secret, base32 without padding (what the apps expect)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    return base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)


def code_at(secret: str, step: int) -> str:
    """The code of one time step (RFC 4226's HOTP with the step as the counter)."""
    mac = hmac.new(_key(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**DIGITS:0{DIGITS}d}"


def step_of(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str, at: datetime, last_step: int | None) -> int | None:
    """The step ``code`` belongs to (within the drift, after ``last_step``), or None."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = step_of(at)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, username: str) -> str:
    label = quote(f"{ISSUER}:{username}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(ISSUER)}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}"


def new_recovery_codes() -> list[str]:
    """Ten codes like ``7KQ4-M2XD-9PRA`` (no 0/O, 1/I confusion)."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return ["-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3)) for _ in range(RECOVERY_CODES)]


def hash_recovery_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").replace(" ", "").encode()).hexdigest()
