"""The signed token in a manifest label's QR code.

``v1.<number>.<signature>`` where the signature is the first 16 bytes (base64url) of
HMAC-SHA256(server secret, "qr:v1:<manifest id>:<number>"). It cannot be forged without the
secret, names exactly one manifest, and is checked against the manifest's status at every scan
(it stops working once the manifest is cancelled or closed).

For a driver whose camera fails, the label also prints a **check code** beside the number: six
characters derived from the token (HMAC of it under the same secret, Crockford base32: no I, L,
O or U to misread). Number + check code stand for the token at a scan; without the secret the
code cannot be made up from the number.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from urllib.parse import quote

from waste_tracker.errors import Invalid

_TOKEN = re.compile(r"^v1\.(\d{14})\.([A-Za-z0-9_-]{22})$")


def _sig(secret: str, manifest_id: uuid.UUID, number: str) -> str:
    mac = hmac.new(secret.encode(), f"qr:v1:{manifest_id}:{number}".encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def make_token(secret: str, manifest_id: uuid.UUID, number: str) -> str:
    return f"v1.{number}.{_sig(secret, manifest_id, number)}"


def parse_token(token: str) -> tuple[str, str]:
    """(number, signature) or ``invalid_qr_token`` for anything malformed or truncated."""
    m = _TOKEN.match(token.strip()) if isinstance(token, str) else None
    if not m:
        raise Invalid("invalid_qr_token", {"reason": "malformed"})
    return m.group(1), m.group(2)


def check_signature(secret: str, manifest_id: uuid.UUID, number: str, signature: str) -> None:
    if not hmac.compare_digest(_sig(secret, manifest_id, number), signature):
        raise Invalid("invalid_qr_token", {"reason": "signature"})


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CHECK = re.compile(r"^[0-9A-Z]{6}$")


def check_code(secret: str, manifest_id: uuid.UUID, number: str) -> str:
    """The label's six-character check code for this manifest (30 bits of an HMAC of its token)."""
    mac = hmac.new(secret.encode(), f"check:{make_token(secret, manifest_id, number)}".encode(), hashlib.sha256).digest()
    n = int.from_bytes(mac[:4], "big") >> 2
    return "".join(_CROCKFORD[(n >> (5 * i)) & 31] for i in reversed(range(6)))


def normalise_check_code(code: str) -> str:
    """As typed: spaces and dashes dropped, case folded, the letters people mistake for digits read
    as those digits (O → 0, I/L → 1); ``invalid_check_code`` when it cannot be a code."""
    c = code.strip().upper().replace("-", "").replace(" ", "").replace("O", "0").replace("I", "1").replace("L", "1")
    if not _CHECK.match(c) or "U" in c:
        raise Invalid("invalid_check_code", {"reason": "malformed"})
    return c


def check_code_matches(secret: str, manifest_id: uuid.UUID, number: str, code: str) -> None:
    if not hmac.compare_digest(check_code(secret, manifest_id, number), normalise_check_code(code)):
        raise Invalid("invalid_check_code", {"reason": "mismatch"})


def scan_url(base_url: str, number: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/scan?m={number}&t={quote(token)}"
