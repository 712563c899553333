"""Pure parts of the accounts: TOTP (RFC 6238 vectors), usernames, passwords, client addresses, delays."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from waste_tracker.auth import totp
from waste_tracker.auth.addresses import client_address, normalise
from waste_tracker.auth.limits import pair_delay
from waste_tracker.auth.passwords import check_password
from waste_tracker.auth.usernames import canonical
from waste_tracker.config import Settings
from waste_tracker.errors import Invalid

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(("t", "code"), [(59, "287082"), (1111111109, "081804"), (1234567890, "005924"), (2000000000, "279037")])
def test_totp_matches_rfc_6238(t: int, code: str) -> None:
    assert totp.code_at(RFC_SECRET, t // 30) == code


def test_a_code_is_accepted_once_and_within_one_step_of_drift() -> None:
    at = datetime.fromtimestamp(1111111109, UTC)
    step = totp.matching_step(RFC_SECRET, "081804", at, None)
    assert step == 1111111109 // 30
    assert totp.matching_step(RFC_SECRET, "081804", at + timedelta(seconds=30), None) == step  # drift
    assert totp.matching_step(RFC_SECRET, "081804", at, step) is None  # replay
    assert totp.matching_step(RFC_SECRET, "081804", at + timedelta(minutes=2), None) is None


def test_usernames_are_one_key_under_case_and_compatibility_forms() -> None:
    assert canonical("Alice") == canonical("alice") == "alice"
    assert canonical("\u212a") is None  # the Kelvin sign is not "k"
    assert canonical("ＡＤＭＩＮ") is None and canonical("a b") is None and canonical("") is None


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1", "too_short"),
        ("1234567890", "common"),
        ("qwertyuiop", "common"),
        ("aaaaaaaaaaaa", "repeated"),
        ("zhangwei01", "username"),
    ],
)
def test_the_password_policy_names_its_reason(password: str, reason: str) -> None:
    with pytest.raises(Invalid) as e:
        check_password(password, "zhangwei01")
    assert e.value.details["reason"] == reason


def test_a_password_is_taken_as_typed() -> None:
    check_password("  嘉兴 南湖 红船  ")  # spaces and Chinese count, nothing is stripped
    check_password("correct horse battery staple", "zhangwei01")


def test_forwarded_addresses_are_believed_only_from_trusted_proxies() -> None:
    xff = ["203.0.113.5, 198.51.100.7"]  # the client wrote the first; the proxy appended the second
    assert client_address("10.0.0.2", xff, []) == "10.0.0.2"  # no proxy configured: the peer
    assert client_address("10.0.0.2", xff, ["10.0.0.0/8"]) == "198.51.100.7"  # right-most untrusted
    assert client_address("192.0.2.1", xff, ["10.0.0.0/8"]) == "192.0.2.1"  # not from the proxy
    assert normalise("::ffff:192.0.2.1") == "192.0.2.1" and normalise("x" * 100) == "unknown"


def test_delays_grow_after_the_free_attempts() -> None:
    s = Settings(env="test", login_free_attempts=3, login_delay_base_seconds=2, login_max_delay_seconds=60)
    assert [pair_delay(n, s).total_seconds() for n in (2, 3, 4, 5, 9)] == [0, 2, 4, 8, 60]
