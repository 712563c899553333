"""The signed token in a manifest label's QR code.

``v1.<number>.<signature>`` where the signature is the first 16 bytes (base64url) of
HMAC-SHA256(server secret, "qr:v1:<manifest id>:<number>"). It cannot be forged without the
secret, names exactly one manifest, and is checked against the manifest's status at every scan
(it stops working once the manifest is cancelled or closed).
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


def scan_url(base_url: str, number: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/scan?m={number}&t={quote(token)}"
