"""Log-in limits that slow an attacker without locking the real user out.

A failure is counted under the account's canonical key and the client's normalised address.
Three limits, all over the last ``login_window_seconds``:

- **per account and address**: ``login_free_attempts`` failures, then each further failure must
  wait twice as long as the one before (``login_delay_base_seconds`` · 2^k, at most
  ``login_max_delay_seconds``). The user at their own desk is not slowed by failures elsewhere;
- **per address**, across accounts: ``login_max_attempts`` (password spraying from one place);
- **per account**, across addresses: ``login_account_max_attempts`` (NIST SP 800-63B §5.2.2: at
  most 100 consecutive failures).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker import clock
from waste_tracker.config import Settings
from waste_tracker.errors import TooManyRequests
from waste_tracker.models import LoginFailure

_COUNTS = text(
    """SELECT count(*) FILTER (WHERE username = :u AND address = :a),
              max(at) FILTER (WHERE username = :u AND address = :a),
              count(*) FILTER (WHERE address = :a),
              min(at) FILTER (WHERE address = :a),
              count(*) FILTER (WHERE username = :u),
              min(at) FILTER (WHERE username = :u)
       FROM login_failure WHERE at > :since AND at <= :now AND (username = :u OR address = :a)"""
)


def pair_delay(failures: int, settings: Settings) -> timedelta:
    """How long the next attempt must wait after ``failures`` failures of one account and address."""
    extra = failures - settings.login_free_attempts
    if extra < 0:
        return timedelta(0)
    return timedelta(seconds=min(settings.login_delay_base_seconds * 2 ** min(extra, 30), settings.login_max_delay_seconds))


def _retry(at: datetime, now: datetime) -> int:
    return max(1, int((at - now).total_seconds()) + 1)


async def check(session: AsyncSession, key: str, address: str, settings: Settings) -> None:
    """Refuse (429 with Retry-After) an attempt that one of the limits holds back."""
    now = clock.now()
    window = timedelta(seconds=settings.login_window_seconds)
    pair_n, pair_last, addr_n, addr_first, acct_n, acct_first = (
        await session.execute(_COUNTS, {"u": key, "a": address, "since": now - window, "now": now})
    ).one()
    if pair_n and pair_last is not None:
        ready = pair_last + pair_delay(pair_n, settings)
        if now < ready:
            raise TooManyRequests(_retry(ready, now))
    if addr_n >= settings.login_max_attempts:
        raise TooManyRequests(_retry(addr_first + window, now))
    if acct_n >= settings.login_account_max_attempts:
        raise TooManyRequests(_retry(acct_first + window, now))


async def record_failure(session: AsyncSession, key: str, address: str) -> None:
    # Stamped by the one clock the limits are judged by (not the database's now()).
    session.add(LoginFailure(username=key, address=address, at=clock.now()))
    await session.flush()


async def forget(session: AsyncSession, key: str, address: str) -> None:
    """A successful log-in clears its own pair's failures (not the others': they stay evidence of
    an attack on the account from elsewhere until they age out)."""
    await session.execute(text("DELETE FROM login_failure WHERE username = :u AND address = :a"), {"u": key, "a": address})
