"""Expiring bearer tokens (JWT, HS256, signed with the server secret) and API key secrets."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from waste_tracker import clock
from waste_tracker.errors import Unauthenticated

ISSUER = "waste-tracker"


# A session that may only set up two-step verification (required by its role, not yet on).
SCOPE_FULL = "full"
SCOPE_ENROLL = "enroll_second_factor"


@dataclass(frozen=True)
class Claims:
    """What a verified token says: whose session, which one, since when, for what."""

    user_id: uuid.UUID
    jti: str
    issued_at: datetime
    expires_at: datetime
    scope: str


def issue_access_token(
    user_id: uuid.UUID,
    role: str,
    secret: str,
    minutes: int,
    now: datetime | None = None,
    scope: str = SCOPE_FULL,
    typ: str = "access",
) -> tuple[str, datetime]:
    now = now or clock.now()
    exp = now + timedelta(minutes=minutes)
    payload = {
        "sub": str(user_id),
        "role": role,
        "iat": int(now.timestamp()),
        "iat_ms": int(now.timestamp() * 1000),  # a password change ends the sessions issued before it
        "exp": int(exp.timestamp()),
        "iss": ISSUER,
        "typ": typ,
        "jti": secrets.token_hex(8),
        "scope": scope,
    }
    return jwt.encode(payload, secret, algorithm="HS256"), exp


def decode_claims(token: str, secret: str, typ: str = "access") -> Claims:
    """Verify the signature, type and expiry of a token (times by the service's clock)."""
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "iat"], "verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    except jwt.PyJWTError as e:
        raise Unauthenticated("invalid_token") from e
    exp, iat = payload.get("exp"), payload.get("iat")
    if payload.get("typ") != typ or not isinstance(exp, int) or not isinstance(iat, int) or not payload.get("jti"):
        raise Unauthenticated("invalid_token")
    if exp <= clock.now().timestamp():
        raise Unauthenticated("token_expired")
    iat_ms = payload.get("iat_ms")
    issued_ms = iat_ms if isinstance(iat_ms, int) else iat * 1000
    try:
        return Claims(
            user_id=uuid.UUID(payload["sub"]),
            jti=str(payload["jti"]),  # the session: what log-out revokes
            issued_at=datetime.fromtimestamp(issued_ms / 1000, UTC),
            expires_at=datetime.fromtimestamp(exp, UTC),
            scope=str(payload.get("scope") or SCOPE_FULL),
        )
    except (ValueError, TypeError) as e:
        raise Unauthenticated("invalid_token") from e


API_KEY_PREFIX = "wtk"


def new_api_key() -> tuple[str, str, str]:
    """Return (full key shown once, lookup prefix, sha256 of the secret)."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    full = f"{API_KEY_PREFIX}_{prefix}_{secret}"
    return full, prefix, hash_api_secret(secret)


def hash_api_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_api_key(full: str) -> tuple[str, str]:
    parts = full.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX or not parts[1] or not parts[2]:
        raise Unauthenticated("invalid_api_key")
    return parts[1], parts[2]


def api_secret_matches(secret: str, key_hash: str) -> bool:
    return hmac.compare_digest(hash_api_secret(secret), key_hash)
