"""Log-in (OAuth2 password flow), the current user, users (admin) and API keys."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import ANY_USER, PUBLIC, PrincipalDep, SessionDep, SettingsDep, permission
from api.http import client_address
from schemas.auth import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic, MePublic, TokenPublic, UserCreate, UserPublic
from schemas.common import ERROR_RESPONSES
from waste_tracker.auth import service

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
) -> TokenPublic:
    """Exchange a username and password for an expiring bearer token."""
    done = await service.log_in(
        session, request.app.state.engine, form.username, form.password, client_address(request), settings
    )
    return TokenPublic(access_token=done.token, expires_at=done.expires_at, role=done.user.role)


@router.get("/auth/me", response_model=MePublic, openapi_extra=ANY_USER)
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
