"""Log-in (OAuth2 password flow), the current user, users (admin) and API keys."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import ACCOUNT, ANY_USER, PUBLIC, PrincipalDep, SessionDep, SettingsDep, permission
from api.http import client_address
from schemas.auth import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    MePublic,
    PasswordChange,
    SecondFactorConfirm,
    SecondFactorDisable,
    SecondFactorEnabled,
    SecondFactorStart,
    TokenPublic,
    UserCreate,
    UserPublic,
)
from schemas.common import ERROR_RESPONSES
from waste_tracker.auth import service
from waste_tracker.auth.principal import Principal
from waste_tracker.auth.tokens import Claims
from waste_tracker.errors import Forbidden

router = APIRouter(prefix="/api/v1", tags=["auth"], responses=ERROR_RESPONSES)


@router.post(
    "/auth/token",
    response_model=TokenPublic,
    openapi_extra=PUBLIC,
    responses={429: {"description": "Too many failed attempts"}},
)
async def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    second_factor: Annotated[str | None, Form(max_length=32, description="TOTP code or recovery code")] = None,
) -> TokenPublic:
    """Exchange a username and password (and, for an account with two-step verification, the
    code in ``second_factor``) for an expiring bearer token. Without the code such an account gets
    401 ``second_factor_required``."""
    done = await service.log_in(
        session, request.app.state.engine, form.username, form.password, client_address(request), settings, second_factor
    )
    return _token(done)


def _token(done: service.LoggedIn) -> TokenPublic:
    return TokenPublic(access_token=done.token, expires_at=done.expires_at, role=done.user.role, scope=done.scope)


def _session_claims(request: Request, principal: Principal) -> Claims:
    """The bearer session of this request (an API key is not a session)."""
    claims = getattr(request.state, "claims", None)
    if principal.via_api_key or claims is None:
        raise Forbidden("forbidden", {"reason": "only a logged-in session can do this, not an API key"})
    return claims


@router.post("/auth/logout", status_code=204, openapi_extra=ACCOUNT)
async def logout(request: Request, principal: PrincipalDep, session: SessionDep) -> Response:
    """End this session: its token stops working at once (not when it would have expired)."""
    await service.log_out(session, principal.user_id, _session_claims(request, principal))
    return Response(status_code=204)


@router.post("/auth/password", response_model=TokenPublic, openapi_extra=ACCOUNT)
async def change_password(
    body: PasswordChange, request: Request, principal: PrincipalDep, session: SessionDep, settings: SettingsDep
) -> TokenPublic:
    """Change the password: every other session of the user ends; this one continues with the
    token returned (the old one stops working too)."""
    _session_claims(request, principal)
    user = await service.user_by_id(session, principal.user_id)
    return _token(await service.change_password(session, user, body.current_password, body.new_password, settings))


@router.post("/auth/second-factor", response_model=SecondFactorStart, openapi_extra=ACCOUNT)
async def start_second_factor(request: Request, principal: PrincipalDep, session: SessionDep) -> SecondFactorStart:
    """Begin two-step verification: scan the URI (as a QR code) into an authenticator app, then
    confirm with a code."""
    _session_claims(request, principal)
    e = await service.start_second_factor(session, await service.user_by_id(session, principal.user_id))
    return SecondFactorStart(secret=e.secret, otpauth_uri=e.uri)


@router.post("/auth/second-factor/confirm", response_model=SecondFactorEnabled, openapi_extra=ACCOUNT)
async def confirm_second_factor(
    body: SecondFactorConfirm, request: Request, principal: PrincipalDep, session: SessionDep, settings: SettingsDep
) -> SecondFactorEnabled:
    """Turn two-step verification on; returns ten recovery codes (shown once) and a new token."""
    _session_claims(request, principal)
    user = await service.user_by_id(session, principal.user_id)
    codes, done = await service.confirm_second_factor(session, user, body.code, settings)
    return SecondFactorEnabled(**_token(done).model_dump(), recovery_codes=codes)


@router.delete("/auth/second-factor", status_code=204, openapi_extra=ACCOUNT)
async def disable_second_factor(
    body: SecondFactorDisable, request: Request, principal: PrincipalDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """Turn two-step verification off (not for roles that require it)."""
    _session_claims(request, principal)
    user = await service.user_by_id(session, principal.user_id)
    await service.disable_second_factor(session, user, body.password, settings)
    return Response(status_code=204)


@router.get("/auth/me", response_model=MePublic, openapi_extra=ACCOUNT)
async def me(principal: PrincipalDep, session: SessionDep) -> MePublic:
    user = await service.user_by_id(session, principal.user_id)
    return MePublic(
        **UserPublic.model_validate(user).model_dump(),
        organisation_roles=sorted(principal.org_roles),
        county_scope=sorted(principal.county_scope) if principal.county_scope is not None else None,
    )


@router.post("/users", response_model=UserPublic, status_code=201, openapi_extra=permission("admin"))
async def create_user(body: UserCreate, principal: PrincipalDep, session: SessionDep) -> UserPublic:
    user = await service.create_user(session, principal, **body.model_dump())
    return UserPublic.model_validate(user)


@router.get("/users", response_model=list[UserPublic], openapi_extra=permission("admin"))
async def list_users(principal: PrincipalDep, session: SessionDep) -> list[UserPublic]:
    return [UserPublic.model_validate(u) for u in await service.list_users(session, principal)]


@router.post(
    "/api-keys",
    response_model=ApiKeyCreated,
    status_code=201,
    openapi_extra=permission("enterprise", "driver", "regulator", "admin", note="for the acting user; not with an API key"),
)
async def create_api_key(body: ApiKeyCreate, principal: PrincipalDep, session: SessionDep) -> ApiKeyCreated:
    key, full = await service.create_api_key(session, principal, body.name, body.expires_at)
    return ApiKeyCreated(**ApiKeyPublic.model_validate(key).model_dump(), key=full)


@router.get("/api-keys", response_model=list[ApiKeyPublic], openapi_extra=ANY_USER)
async def list_api_keys(principal: PrincipalDep, session: SessionDep) -> list[ApiKeyPublic]:
    return [ApiKeyPublic.model_validate(k) for k in await service.list_api_keys(session, principal)]


@router.delete(
    "/api-keys/{key_id}",
    response_model=ApiKeyPublic,
    openapi_extra=permission("enterprise", "driver", "regulator", "admin", note="own keys; admin any"),
)
async def revoke_api_key(key_id: uuid.UUID, principal: PrincipalDep, session: SessionDep) -> ApiKeyPublic:
    return ApiKeyPublic.model_validate(await service.revoke_api_key(session, principal, key_id))
