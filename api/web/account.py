"""The account page, for every role: change the password (ends the other sessions) and set up or
turn off two-step verification (an authenticator app, with recovery codes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from api.deps import ACCOUNT, SessionDep, SettingsDep
from api.web.auth import set_session_cookie
from api.web.render import WebPrincipal, WebRoute, csrf_ok, render, web_lang
from waste_tracker.auth import service, totp
from waste_tracker.errors import DomainError, Forbidden
from waste_tracker.i18n import translate
from waste_tracker.manifest.labels import qr_svg_inline

router = APIRouter(route_class=WebRoute, include_in_schema=False)

Field = Annotated[str, Form(max_length=256)]


def _page(request: Request, status_code: int = 200, **ctx: object) -> Response:
    user = request.state.user
    settings = request.app.state.settings
    return render(
        request,
        "account.html",
        status_code=status_code,
        enabled=bool(user.totp_secret),
        mandatory=user.role in settings.second_factor_roles,
        enroll=request.query_params.get("enroll") == "1",
        **({"error": None, "notice": None, "setup": None, "codes": None} | ctx),
    )


def _csrf(request: Request, csrf: str) -> None:
    if not csrf_ok(request, csrf):
        raise Forbidden("csrf_failed", {})


@router.get("/account", openapi_extra=ACCOUNT)
async def account(request: Request, principal: WebPrincipal) -> Response:
    return _page(request)


@router.post("/account/password", openapi_extra=ACCOUNT)
async def change_password(
    request: Request,
    principal: WebPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    current_password: Field = "",
    new_password: Field = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    _csrf(request, csrf)
    user = request.state.user
    try:
        done = await service.change_password(session, user, current_password, new_password, settings)
    except DomainError as e:
        return _page(request, 422 if e.kind == "invalid" else 403, error=translate(e.code, web_lang(request), e.details))
    page = _page(request, notice="account.password_changed")
    return set_session_cookie(request, page, done.token, settings, new_csrf=False)


@router.post("/account/second-factor", openapi_extra=ACCOUNT)
async def start_second_factor(
    request: Request, principal: WebPrincipal, session: SessionDep, csrf: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    _csrf(request, csrf)
    e = await service.start_second_factor(session, request.state.user)
    return _page(request, setup={"secret": e.secret, "qr": qr_svg_inline(e.uri)})


@router.post("/account/second-factor/confirm", openapi_extra=ACCOUNT)
async def confirm_second_factor(
    request: Request,
    principal: WebPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    code: Annotated[str, Form(max_length=32)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    _csrf(request, csrf)
    user = request.state.user
    try:
        codes, done = await service.confirm_second_factor(session, user, code, settings)
    except DomainError as e:
        pending = user.totp_pending_secret
        setup = {"secret": pending, "qr": qr_svg_inline(totp.provisioning_uri(pending, user.username))} if pending else None
        return _page(request, 422, error=translate(e.code, web_lang(request), e.details), setup=setup)
    page = _page(request, notice="account.second_factor_on", codes=codes)
    return set_session_cookie(request, page, done.token, settings, new_csrf=False)


@router.post("/account/second-factor/disable", openapi_extra=ACCOUNT)
async def disable_second_factor(
    request: Request,
    principal: WebPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    password: Field = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    _csrf(request, csrf)
    try:
        await service.disable_second_factor(session, request.state.user, password, settings)
    except DomainError as e:
        return _page(request, 403, error=translate(e.code, web_lang(request), e.details))
    return RedirectResponse("/account", status_code=303)
