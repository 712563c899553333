"""Log-in, principals, users and API keys."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.auth.passwords import MIN_LENGTH, hash_password, verify_password
from waste_tracker.auth.principal import Principal
from waste_tracker.auth.tokens import api_secret_matches, issue_access_token, new_api_key, split_api_key
from waste_tracker.config import Settings
from waste_tracker.db import add_unique, unit_of_work
from waste_tracker.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests, Unauthenticated
from waste_tracker.models import ApiKey, LoginFailure, Organisation, User
from waste_tracker.registry.jurisdictions import SCOPE_CACHE, SCOPE_TTL_SECONDS, jurisdiction_level


async def check_login_rate(session: AsyncSession, username: str, address: str, settings: Settings) -> None:
    """Refuse (429) when the account or the address has too many recent failures."""
    since = clock.now() - timedelta(seconds=settings.login_window_seconds)
    for column, value in ((LoginFailure.username, username.lower()), (LoginFailure.address, address)):
        count, oldest = (
            await session.execute(select(func.count(), func.min(LoginFailure.at)).where(column == value, LoginFailure.at > since))
        ).one()
        if count >= settings.login_max_attempts:
            retry = int((oldest + timedelta(seconds=settings.login_window_seconds) - clock.now()).total_seconds()) + 1
            raise TooManyRequests(max(retry, 1))


async def record_login_failure(session: AsyncSession, username: str, address: str) -> None:
    session.add(LoginFailure(username=username.lower()[:64], address=address[:64]))
    await session.flush()


async def authenticate(session: AsyncSession, username: str, password: str, settings: Settings) -> User:
    """Return the user for valid credentials; failures are counted by the caller's unit of work."""
    user = (await session.execute(select(User).where(func.lower(User.username) == username.lower()))).scalar_one_or_none()
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise Unauthenticated("invalid_credentials")
    if not user.is_active:
        raise Unauthenticated("account_disabled")
    if user.is_demo and settings.is_production:
        raise Unauthenticated("demo_account_refused")
    return user


@dataclass(frozen=True)
class LoggedIn:
    """A successful log-in: the user and their bearer token (the API returns it, the web page keeps
    it in its session cookie)."""

    user: User
    token: str
    expires_at: datetime


async def log_in(
    session: AsyncSession, engine: AsyncEngine, username: str, password: str, address: str, settings: Settings
) -> LoggedIn:
    """The one log-in flow, for the API and the web page: the rate limit, the credentials, a failure
    counted in its own transaction (the caller's unit of work rolls back on the error), the token."""
    await check_login_rate(session, username, address, settings)
    try:
        user = await authenticate(session, username, password, settings)
    except Unauthenticated:
        async with unit_of_work(engine) as s:
            await record_login_failure(s, username, address)
        raise
    token, exp = issue_access_token(user.id, user.role, settings.secret_key, settings.access_token_minutes)
    return LoggedIn(user=user, token=token, expires_at=exp)


async def principal_for(
    session: AsyncSession, user: User, settings: Settings, via_api_key: bool = False, lang: str | None = None
) -> Principal:
    if not user.is_active:
        raise Unauthenticated("account_disabled")
    if user.is_demo and settings.is_production:
        raise Unauthenticated("demo_account_refused")
    org_roles: frozenset[str] = frozenset()
    if user.organisation_id:
        known = session.info.get(_ORG_ROLES, {})
        if user.id in known:  # read with the user by user_by_id, in this session
            roles = known[user.id]
        else:
            roles = (await session.execute(select(Organisation.roles).where(Organisation.id == user.organisation_id))).scalar()
        org_roles = frozenset(roles or [])
    scope = level = None
    if user.role == "regulator" and user.jurisdiction_adcode:
        level, scope = await _jurisdiction_scope(session, user.jurisdiction_adcode)
    return Principal(
        user_id=user.id,
        username=user.username,
        role=user.role,
        organisation_id=user.organisation_id,
        org_roles=org_roles,
        jurisdiction_adcode=user.jurisdiction_adcode,
        jurisdiction_level=level,
        county_scope=scope,
        lang=lang or user.preferred_lang,
        via_api_key=via_api_key,
    )


_ORG_ROLES = "waste_tracker.auth.org_roles"  # session.info key: user id -> their organisation's roles


async def user_by_id(session: AsyncSession, user_id: uuid.UUID) -> User:
    """The user, with their organisation's roles read in the same round trip (kept in the
    session's ``info`` for ``principal_for``: every authenticated request needs both)."""
    row = (
        await session.execute(
            select(User, Organisation.roles)
            .outerjoin(Organisation, col(Organisation.id) == User.organisation_id)
            .where(User.id == user_id)
        )
    ).first()
    if row is None:
        raise Unauthenticated("invalid_token")
    user: User = row[0]
    session.info.setdefault(_ORG_ROLES, {})[user.id] = row[1]
    return user


async def _jurisdiction_scope(session: AsyncSession, adcode: int) -> tuple[str, frozenset[int]]:
    """A regulator's level and every county at or below their jurisdiction, in one round trip
    (what ``jurisdiction_level`` and ``counties_under`` answer separately). Reference data that
    changes only when boundaries are imported: cached per process (``jurisdictions.SCOPE_CACHE``,
    cleared by an import in this process, expiring after ``SCOPE_TTL_SECONDS`` in the others)."""
    hit = SCOPE_CACHE.get(adcode)
    if hit is not None and time.monotonic() - hit[0] < SCOPE_TTL_SECONDS:
        return hit[1], hit[2]
    level, counties = (
        await session.execute(
            text(
                """WITH RECURSIVE tree AS (
                       SELECT adcode, level FROM jurisdiction WHERE adcode = :a
                       UNION ALL
                       SELECT j.adcode, j.level FROM jurisdiction j JOIN tree t ON j.parent_adcode = t.adcode)
                   SELECT (SELECT level FROM jurisdiction WHERE adcode = :a),
                          ARRAY(SELECT adcode FROM tree WHERE level = 'county')"""
            ),
            {"a": adcode},
        )
    ).one()
    if level is None:
        raise Invalid("unknown_jurisdiction", {"adcode": adcode})
    SCOPE_CACHE[adcode] = (time.monotonic(), str(level), frozenset(counties))
    return str(level), frozenset(counties)


async def user_for_api_key(session: AsyncSession, full_key: str) -> User:
    prefix, secret = split_api_key(full_key)
    key = (await session.execute(select(ApiKey).where(ApiKey.prefix == prefix))).scalar_one_or_none()
    now = clock.now()
    if (
        key is None
        or not api_secret_matches(secret, key.key_hash)
        or key.revoked_at is not None
        or (key.expires_at is not None and key.expires_at <= now)
    ):
        raise Unauthenticated("invalid_api_key")
    await session.execute(
        text(
            "UPDATE api_key SET last_used_at = now() WHERE id = :id "
            "AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')"
        ),
        {"id": key.id},
    )
    return await user_by_id(session, key.user_id)


async def create_user(
    session: AsyncSession,
    actor: Principal | None,
    *,
    username: str,
    password: str,
    role: str,
    organisation_id: uuid.UUID | None = None,
    jurisdiction_adcode: int | None = None,
    display_name: str = "",
    is_demo: bool = False,
    preferred_lang: str = "zh-CN",
    password_hash: str | None = None,
) -> User:
    """Create an account. Only admins do this (``actor=None`` is the CLI/seed)."""
    if actor is not None:
        actor.require("admin")
    if role not in ("enterprise", "driver", "regulator", "admin"):
        raise Invalid("invalid_user_binding", {"reason": f"unknown role {role}"})
    if password_hash is None and len(password) < MIN_LENGTH:
        raise Invalid("validation_error", {"field": "password", "reason": f"at least {MIN_LENGTH} characters"})
    if role in ("enterprise", "driver"):
        if organisation_id is None or jurisdiction_adcode is not None:
            raise Invalid("invalid_user_binding", {"reason": f"a {role} is bound to one organisation only"})
        org = await session.get(Organisation, organisation_id)
        if org is None:
            raise NotFound("organisation", organisation_id)
        if role == "driver" and "carrier" not in org.roles:
            raise Invalid("organisation_role_missing", {"role": "carrier"})
    elif role == "regulator":
        if jurisdiction_adcode is None or organisation_id is not None:
            raise Invalid("invalid_user_binding", {"reason": "a regulator is bound to one jurisdiction only"})
        await jurisdiction_level(session, jurisdiction_adcode)
    elif organisation_id is not None or jurisdiction_adcode is not None:
        raise Invalid("invalid_user_binding", {"reason": "an admin has no organisation or jurisdiction"})
    exists = (await session.execute(select(User.id).where(func.lower(User.username) == username.lower()))).first()
    if exists:
        raise Conflict("duplicate_username", {"username": username})
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=password_hash or hash_password(password),
        role=role,
        organisation_id=organisation_id,
        jurisdiction_adcode=jurisdiction_adcode,
        is_demo=is_demo,
        preferred_lang=preferred_lang,
    )
    return await add_unique(session, user, Conflict("duplicate_username", {"username": username}))


async def list_users(session: AsyncSession, actor: Principal) -> list[User]:
    actor.require("admin")
    return list((await session.execute(select(User).order_by(User.username))).scalars())


API_KEY_MAX_DAYS = 2 * 366  # a machine's key is renewed at least every two years


async def create_api_key(
    session: AsyncSession, actor: Principal, name: str, expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """A key for the acting user; the full secret is returned once and never stored."""
    if actor.via_api_key:
        raise Forbidden("forbidden", {"reason": "an API key cannot mint API keys"})
    if expires_at is not None:
        now = clock.now()
        if expires_at.tzinfo is None or not now < expires_at <= now + timedelta(days=API_KEY_MAX_DAYS):
            raise Invalid("invalid_expiry", {"expires_at": str(expires_at), "max_days": API_KEY_MAX_DAYS})
    full, prefix, digest = new_api_key()
    key = ApiKey(user_id=actor.user_id, name=name, prefix=prefix, key_hash=digest, expires_at=expires_at)
    session.add(key)
    await session.flush()
    return key, full


async def list_api_keys(session: AsyncSession, actor: Principal) -> list[ApiKey]:
    return list(
        (await session.execute(select(ApiKey).where(ApiKey.user_id == actor.user_id).order_by(col(ApiKey.created_at)))).scalars()
    )


async def revoke_api_key(session: AsyncSession, actor: Principal, key_id: uuid.UUID) -> ApiKey:
    key = await session.get(ApiKey, key_id)
    if key is None or (key.user_id != actor.user_id and not actor.is_admin):
        raise NotFound("api_key", key_id)
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        await session.flush()
    return key
