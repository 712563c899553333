"""Log-in, principals, users and API keys."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, literal, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlmodel import col, select

from waste_tracker import clock
from waste_tracker.auth import addresses, limits, totp, usernames
from waste_tracker.auth.passwords import check_password, hash_password, verify_password
from waste_tracker.auth.principal import AuditGrant, Principal
from waste_tracker.auth.tokens import (
    SCOPE_ENROLL,
    SCOPE_FULL,
    Claims,
    api_secret_matches,
    decode_claims,
    issue_access_token,
    new_api_key,
    split_api_key,
)
from waste_tracker.config import Settings
from waste_tracker.db import add_unique, unit_of_work
from waste_tracker.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from waste_tracker.models import ApiKey, Organisation, RecoveryCode, RevokedToken, User
from waste_tracker.registry.jurisdictions import SCOPE_CACHE, SCOPE_TTL_SECONDS, jurisdiction_level


async def authenticate(session: AsyncSession, username: str, password: str, settings: Settings) -> User:
    """Return the user for valid credentials; failures are counted by the caller's unit of work.
    The username is compared under its canonical key (usernames.py); the password exactly as typed."""
    key = usernames.canonical(username)
    user = (await session.execute(select(User).where(User.username_key == key))).scalar_one_or_none() if key is not None else None
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
    it in its session cookie). ``scope`` is ``enroll_second_factor`` when the user's role requires
    two-step verification that is not yet on: the session may then only set it up."""

    user: User
    token: str
    expires_at: datetime
    scope: str = SCOPE_FULL


SECOND_FACTOR_PENDING_MINUTES = 5


async def log_in(
    session: AsyncSession,
    engine: AsyncEngine,
    username: str,
    password: str,
    address: str,
    settings: Settings,
    second_factor: str | None = None,
) -> LoggedIn:
    """The one log-in flow, for the API and the web page: the limits, the credentials, the second
    factor when the account has one, a failure counted in its own transaction (the caller's unit
    of work rolls back on the error), the token. Without the code an account with two-step
    verification gets ``second_factor_required`` (not counted: the password was right)."""
    key = usernames.failure_key(username)
    address = addresses.normalise(address)
    await limits.check(session, key, address, settings)
    try:
        user = await authenticate(session, username, password, settings)
        if user.totp_secret and not second_factor:
            raise SecondFactorRequired(user)
        if user.totp_secret:
            await _check_second_factor(session, user, second_factor or "")
    except Unauthenticated as exc:
        if exc.code != "second_factor_required":
            async with unit_of_work(engine) as s:
                await limits.record_failure(s, key, address)
        raise
    await limits.forget(session, key, address)
    return _session_for(user, settings)


class SecondFactorRequired(Unauthenticated):
    """The password was right; the account's second factor is still to come."""

    def __init__(self, user: User) -> None:
        super().__init__("second_factor_required")
        self.user = user


def pending_second_factor_token(user: User, settings: Settings) -> str:
    """For the web page's second step: says "this user gave the right password" for 5 minutes."""
    token, _ = issue_access_token(
        user.id, user.role, settings.secret_key, SECOND_FACTOR_PENDING_MINUTES, typ="second_factor_pending"
    )
    return token


async def log_in_second_step(
    session: AsyncSession, engine: AsyncEngine, pending: str, code: str, address: str, settings: Settings
) -> LoggedIn:
    """The web page's second step: the pending token of ``pending_second_factor_token`` and the code."""
    claims = decode_claims(pending, settings.secret_key, typ="second_factor_pending")
    user = await session.get(User, claims.user_id)
    if user is None or not user.totp_secret:
        raise Unauthenticated("invalid_token")
    key, address = user.username_key, addresses.normalise(address)
    await limits.check(session, key, address, settings)
    try:
        await _check_second_factor(session, user, code)
    except Unauthenticated:
        async with unit_of_work(engine) as s:
            await limits.record_failure(s, key, address)
        raise
    await limits.forget(session, key, address)
    return _session_for(user, settings)


def _session_for(user: User, settings: Settings, now: datetime | None = None) -> LoggedIn:
    enrolling = user.role in settings.second_factor_roles and not user.totp_secret
    scope = SCOPE_ENROLL if enrolling else SCOPE_FULL
    token, exp = issue_access_token(user.id, user.role, settings.secret_key, settings.access_token_minutes, now=now, scope=scope)
    return LoggedIn(user=user, token=token, expires_at=exp, scope=scope)


async def _check_second_factor(session: AsyncSession, user: User, code: str) -> None:
    """A current TOTP code (each step once) or an unused recovery code; else invalid_second_factor."""
    assert user.totp_secret is not None
    step = totp.matching_step(user.totp_secret, code, clock.now(), user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        await session.flush()
        return
    used = await session.execute(
        text(
            """UPDATE recovery_code SET used_at = :now
               WHERE id = (SELECT id FROM recovery_code WHERE user_id = :u AND code_hash = :h AND used_at IS NULL LIMIT 1)
               RETURNING id"""
        ),
        {"now": clock.now(), "u": user.id, "h": totp.hash_recovery_code(code)},
    )
    if used.first() is None:
        raise Unauthenticated("invalid_second_factor")


async def user_for_token(session: AsyncSession, token: str, settings: Settings) -> tuple[User, Claims]:
    """The user of a bearer token whose session has not ended: not logged out (``revoked_token``)
    and issued after the user's last password change (``tokens_valid_after``)."""
    claims = decode_claims(token, settings.secret_key)
    user = await user_by_id(session, claims.user_id, jti=claims.jti)
    if session.info.get(_REVOKED, {}).get(claims.jti) or (
        user.tokens_valid_after is not None and claims.issued_at < user.tokens_valid_after
    ):
        raise Unauthenticated("session_ended")
    return user, claims


async def log_out(session: AsyncSession, user_id: uuid.UUID, claims: Claims) -> None:
    """End this session now (its token stops working before it expires)."""
    await session.execute(
        text(
            """INSERT INTO revoked_token (jti, user_id, revoked_at, expires_at, reason)
               VALUES (:j, :u, :now, :exp, 'logout') ON CONFLICT (jti) DO NOTHING"""
        ),
        {"j": claims.jti, "u": user_id, "now": clock.now(), "exp": claims.expires_at},
    )


async def change_password(session: AsyncSession, user: User, current: str, new: str, settings: Settings) -> LoggedIn:
    """Change the password (the current one must be given) and end every other session of the
    user; the caller's session continues with the token returned."""
    if not verify_password(user.password_hash, current):
        raise Forbidden("wrong_password", {})
    check_password(new, user.username, field="new_password")
    now = clock.now()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # tokens carry milliseconds
    user.password_hash = hash_password(new)
    user.password_changed_at = now
    user.tokens_valid_after = now
    await session.flush()
    return _session_for(user, settings, now=now)


@dataclass(frozen=True)
class Enrollment:
    secret: str
    uri: str


async def start_second_factor(session: AsyncSession, user: User) -> Enrollment:
    """A new secret to scan into an authenticator app; on only once confirmed with a code."""
    if user.totp_secret:
        raise Conflict("second_factor_already_enabled", {})
    user.totp_pending_secret = totp.new_secret()
    await session.flush()
    return Enrollment(user.totp_pending_secret, totp.provisioning_uri(user.totp_pending_secret, user.username))


async def confirm_second_factor(session: AsyncSession, user: User, code: str, settings: Settings) -> tuple[list[str], LoggedIn]:
    """Turn two-step verification on with a first code; the recovery codes (shown once) and a
    full session (an enrolling session becomes a normal one)."""
    if user.totp_secret:
        raise Conflict("second_factor_already_enabled", {})
    if not user.totp_pending_secret:
        raise Conflict("second_factor_not_pending", {})
    step = totp.matching_step(user.totp_pending_secret, code, clock.now(), None)
    if step is None:
        raise Invalid("invalid_second_factor", {"field": "code"})
    user.totp_secret, user.totp_pending_secret = user.totp_pending_secret, None
    user.totp_enabled_at, user.totp_last_step = clock.now(), step
    codes = totp.new_recovery_codes()
    await session.execute(text("DELETE FROM recovery_code WHERE user_id = :u"), {"u": user.id})
    for c in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=totp.hash_recovery_code(c)))
    await session.flush()
    return codes, _session_for(user, settings)


async def disable_second_factor(session: AsyncSession, user: User, password: str, settings: Settings) -> None:
    if user.role in settings.second_factor_roles:
        raise Forbidden("second_factor_mandatory", {"role": user.role})
    if not verify_password(user.password_hash, password):
        raise Forbidden("wrong_password", {})
    user.totp_secret = user.totp_pending_secret = None
    user.totp_enabled_at = user.totp_last_step = None
    await session.execute(text("DELETE FROM recovery_code WHERE user_id = :u"), {"u": user.id})
    await session.flush()


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
    grants: tuple[AuditGrant, ...] = ()
    if user.role == "auditor":
        from waste_tracker.audit.scope import active_grants

        grants = await active_grants(session, user.id)
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
        audit_grants=grants,
    )


_ORG_ROLES = "waste_tracker.auth.org_roles"  # session.info key: user id -> their organisation's roles


_REVOKED = "waste_tracker.auth.revoked"  # session.info key: jti -> whether its session was ended


async def user_by_id(session: AsyncSession, user_id: uuid.UUID, jti: str | None = None) -> User:
    """The user, with their organisation's roles (kept in the session's ``info`` for
    ``principal_for``) and, given a token's ``jti``, whether that session was ended — all in one
    round trip: every authenticated request needs them."""
    revoked = (
        exists().where(col(RevokedToken.jti) == jti).correlate(None) if jti else literal(False)  # noqa: FBT003
    )
    row = (
        await session.execute(
            select(User, Organisation.roles, revoked)
            .outerjoin(Organisation, col(Organisation.id) == User.organisation_id)
            .where(User.id == user_id)
        )
    ).first()
    if row is None:
        raise Unauthenticated("invalid_token")
    user: User = row[0]
    session.info.setdefault(_ORG_ROLES, {})[user.id] = row[1]
    if jti:
        session.info.setdefault(_REVOKED, {})[jti] = bool(row[2])
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
    if role not in ("enterprise", "driver", "regulator", "admin", "auditor"):
        raise Invalid("invalid_user_binding", {"reason": f"unknown role {role}"})
    key = usernames.canonical(username)
    if key is None:
        raise Invalid("validation_error", {"field": "username", "reason": "not a valid username (NFKC, no spaces)"})
    if password_hash is None:
        check_password(password, username)
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
    taken = (await session.execute(select(User.id).where(User.username_key == key))).first()
    if taken:
        raise Conflict("duplicate_username", {"username": username})
    user = User(
        username=username,
        username_key=key,
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
