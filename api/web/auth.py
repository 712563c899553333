"""Log-in and log-out for the web app: the same accounts, rate limit and JWT as the API, kept in an
HttpOnly cookie, with a CSRF double-submit cookie that the pages' scripts echo in a header."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from api.deps import CSRF_COOKIE, PUBLIC, SESSION_COOKIE, SessionDep, SettingsDep
from api.http import client_address
from api.web.render import (
    STATIC_DIR,
    WebPrincipal,
    WebRoute,
    csrf_ok,
    home_for,
    render,
    safe_next,
    secure_request,
    set_csrf_cookie,
    web_lang,
)
from waste_tracker.auth import service
from waste_tracker.auth.tokens import SCOPE_ENROLL
from waste_tracker.config import Settings
from waste_tracker.errors import TooManyRequests, Unauthenticated
from waste_tracker.i18n import translate

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/", openapi_extra=PUBLIC)
async def root(principal: WebPrincipal) -> RedirectResponse:
    return RedirectResponse(home_for(principal), status_code=303)


@router.get("/sw.js", openapi_extra=PUBLIC)
async def service_worker() -> Response:
    """The service worker that keeps the driver's pages on the phone, served from the root so its
    scope covers /scan and /d (a script under /static/ could only control /static/)."""
    return Response(
        (STATIC_DIR / "js" / "sw.js").read_bytes(),
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )


@router.get("/login", openapi_extra=PUBLIC)
async def login_form(request: Request, next: str | None = None) -> Response:  # noqa: A002 - the query parameter's name
    return render(request, "login.html", next=safe_next(next) or "", error=None, username="")


@router.post("/login", openapi_extra=PUBLIC)
async def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",  # noqa: A002 - the form field's name
) -> Response:
    lang = web_lang(request)

    def again(code: str, status: int, **details: object) -> Response:
        return render(
            request,
            "login.html",
            status_code=status,
            next=safe_next(next) or "",
            error=translate(code, lang, details),
            username=username,
        )

    if not csrf_ok(request, csrf):
        return again("csrf_failed", 403)
    try:
        done = await service.log_in(session, request.app.state.engine, username, password, client_address(request), settings)
    except TooManyRequests as e:
        return again("too_many_requests", 429, retry_after=e.retry_after)
    except service.SecondFactorRequired as e:
        pending = service.pending_second_factor_token(e.user, settings)
        return render(request, "login_code.html", pending=pending, next=safe_next(next) or "", error=None)
    except Unauthenticated as e:
        return again(e.code, 401)
    return await _signed_in(request, session, settings, done, next)


@router.post("/login/code", openapi_extra=PUBLIC)
async def login_code(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    pending: Annotated[str, Form(max_length=2000)] = "",
    code: Annotated[str, Form(max_length=32)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",  # noqa: A002 - the form field's name
) -> Response:
    """The second step of a log-in with two-step verification: the code from the app."""
    lang = web_lang(request)
    if not csrf_ok(request, csrf):
        return render(request, "error.html", status_code=403, status=403, message=translate("csrf_failed", lang))
    try:
        done = await service.log_in_second_step(
            session, request.app.state.engine, pending, code, client_address(request), settings
        )
    except TooManyRequests as e:
        error, status = translate("too_many_requests", lang, {"retry_after": e.retry_after}), 429
    except Unauthenticated as e:
        if e.code in ("invalid_token", "token_expired"):  # the 5 minutes are over: start again
            return RedirectResponse("/login", status_code=303)
        error, status = translate(e.code, lang), 401
    else:
        return await _signed_in(request, session, settings, done, next)
    return render(request, "login_code.html", status_code=status, pending=pending, next=safe_next(next) or "", error=error)


async def _signed_in(
    request: Request, session: SessionDep, settings: SettingsDep, done: service.LoggedIn, next_: str
) -> Response:
    principal = await service.principal_for(session, done.user, settings)
    token = done.token
    target = "/account?enroll=1" if done.scope == SCOPE_ENROLL else safe_next(next_) or home_for(principal)
    return set_session_cookie(request, RedirectResponse(target, status_code=303), token, settings)


def set_session_cookie(
    request: Request, response: Response, token: str, settings: Settings, *, new_csrf: bool = True
) -> Response:
    """The browser's copy of a new session (log-in, password change, two-step set up). A page
    rendered in the same response keeps the CSRF secret its forms carry (``new_csrf=False``)."""
    secure = secure_request(request)
    response.set_cookie(
        SESSION_COOKIE, token, max_age=settings.access_token_minutes * 60, httponly=True, samesite="lax", secure=secure, path="/"
    )
    if new_csrf:
        set_csrf_cookie(request, response, secrets.token_urlsafe(32))  # a fresh CSRF secret for the new session
    return response


@router.post("/logout", openapi_extra=PUBLIC)
async def logout(
    request: Request, session: SessionDep, settings: SettingsDep, csrf: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    if not csrf_ok(request, csrf):
        return render(request, "error.html", status_code=403, status=403, message=translate("csrf_failed", web_lang(request)))
    token = request.cookies.get(SESSION_COOKIE)
    if token:  # end the session itself, not only the browser's copy of it
        try:
            user, claims = await service.user_for_token(session, token, settings)
        except Unauthenticated:
            pass
        else:
            await service.log_out(session, user.id, claims)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response
