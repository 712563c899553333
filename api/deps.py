"""Request dependencies: one unit of work per request, the acting principal, permissions."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import lang_of
from waste_tracker.auth import service as auth_service
from waste_tracker.auth.principal import Principal
from waste_tracker.auth.tokens import SCOPE_ENROLL
from waste_tracker.config import Settings
from waste_tracker.db import unit_of_work
from waste_tracker.errors import Forbidden, Unauthenticated

SESSION_COOKIE = "wt_session"
CSRF_COOKIE = "wt_csrf"
CSRF_HEADER = "X-CSRF-Token"

# What a session that must first set up two-step verification may call.
ENROLLING_PATHS = frozenset(
    {
        "/api/v1/auth/me",
        "/api/v1/auth/logout",
        "/api/v1/auth/password",
        "/api/v1/auth/second-factor",
        "/api/v1/auth/second-factor/confirm",
    }
)

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: services flush; we commit on success, roll back on error."""
    async with unit_of_work(factory=request.app.state.sessionmaker) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def get_principal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2)] = None,
    api_key: Annotated[str | None, Depends(api_key_header)] = None,
) -> Principal:
    lang = lang_of(request)
    if not token and not api_key and SESSION_COOKIE in request.cookies:
        # The web app's session: the same JWT in an HttpOnly cookie. State-changing calls made with
        # it must echo the CSRF cookie in a header (double submit), which other sites cannot read.
        token = request.cookies[SESSION_COOKIE]
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            sent = request.headers.get(CSRF_HEADER, "")
            expected = request.cookies.get(CSRF_COOKIE, "")
            if not expected or not hmac.compare_digest(sent, expected):
                raise Forbidden("csrf_failed", {})
    if token:
        user, claims = await auth_service.user_for_token(session, token, settings)
        if claims.scope == SCOPE_ENROLL and request.url.path not in ENROLLING_PATHS:
            raise Forbidden("second_factor_enrollment_required", {"enroll": "/api/v1/auth/second-factor"})
        request.state.claims = claims
        principal = await auth_service.principal_for(session, user, settings, lang=lang)
    elif api_key:
        user = await auth_service.user_for_api_key(session, api_key)
        principal = await auth_service.principal_for(session, user, settings, via_api_key=True, lang=lang)
    else:
        raise Unauthenticated()
    refuse_undeclared(request, principal)
    request.state.principal = principal
    return principal


def refuse_undeclared(request: Request, principal: Principal) -> None:
    """An auditor calls only the routes that name it in their ``permission(...)``: the role is
    new and narrow, so it is denied by default rather than trusted to every service's checks."""
    if not principal.is_auditor:
        return
    route = request.scope.get("route")
    declared = ((getattr(route, "openapi_extra", None) or {}).get("x-permission") or {}).get("roles", [])
    if "auditor" not in declared and "anonymous" not in declared:
        raise Forbidden("forbidden", {"required_roles": list(declared), "role": principal.role})


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def permission(*roles: str, note: str = "") -> dict[str, Any]:
    """Declare who may call a route (shown in OpenAPI as ``x-permission``; checked by the
    permission-matrix test). The service enforces the finer, object-level rules."""
    return {"x-permission": {"roles": list(roles), "note": note}}


PUBLIC = {"x-permission": {"roles": ["anonymous"], "note": "no authentication"}}
ANY_USER = permission("enterprise", "driver", "regulator", "admin")
# One's own account (who am I, log out, password, two-step verification): every role, auditors too.
ACCOUNT = permission("enterprise", "driver", "regulator", "admin", "auditor")
