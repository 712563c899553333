"""Shared plumbing of the web pages: the session principal (cookie), language, formatting in
Asia/Shanghai with units, navigation per role, and a route class that turns domain errors into
pages (a log-in redirect for an expired session) instead of JSON."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Coroutine
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from api.deps import CSRF_COOKIE, SESSION_COOKIE, SessionDep, SettingsDep, refuse_undeclared
from api.errors import STATUS
from api.web.i18n import gettext, js_messages
from waste_tracker import clock, units
from waste_tracker.auth import service as auth_service
from waste_tracker.auth.principal import Principal
from waste_tracker.auth.tokens import SCOPE_ENROLL
from waste_tracker.errors import DomainError, Forbidden, Unauthenticated
from waste_tracker.i18n import DEFAULT_LANG, LANGS, translate

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
LANG_COOKIE = "wt_lang"

# The API's templates are on the path too: the label card is shared with the API's label page.
templates = Jinja2Templates(directory=[str(HERE / "templates"), str(HERE.parent / "templates")])


def _static_version() -> str:
    """A short hash of the static files, appended to their URLs so a deploy is never served stale."""
    h = hashlib.sha256()
    for p in sorted(STATIC_DIR.rglob("*")):
        if p.is_file():
            st = p.stat()
            h.update(f"{p.relative_to(STATIC_DIR)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:10]


STATIC_VERSION = _static_version()


def static_url(path: str) -> str:
    return f"/web-static/{path}?v={STATIC_VERSION}"


# --- language and formatting -----------------------------------------------------------------------


def web_lang(request: Request) -> str:
    """``?lang=`` (then remembered in a cookie), else the cookie, else zh-CN."""
    for value in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if value in LANGS:
            return value
    return DEFAULT_LANG


def fmt_dt(value: datetime | None) -> str:
    """Date and time in Asia/Shanghai (the zone every party works in), to the minute."""
    if value is None:
        return "—"
    return clock.local(value).strftime("%Y-%m-%d %H:%M")


def fmt_date(value: date | None) -> str:
    return value.isoformat() if value else "—"


def fmt_qty(kg: Decimal | float | int | str | None) -> str:
    """A mass with its unit: kilograms below one tonne, tonnes (3 decimals) above."""
    if kg is None:
        return "—"
    v = Decimal(str(kg))
    if abs(v) >= units.KG_PER["t"]:
        return f"{units.kg_to_t(v):,.3f} t"
    return f"{v.normalize():,f} kg" if v == v.to_integral() else f"{v:,.3f}".rstrip("0").rstrip(".") + " kg"


def fmt_t(tonnes: float | Decimal | None) -> str:
    return "—" if tonnes is None else f"{float(tonnes):,.3f} t"


def fmt_km(metres: float | None) -> str:
    return "—" if metres is None else f"{metres / 1000:,.1f} km"


def fmt_pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f} %"


# --- session ----------------------------------------------------------------------------------------


async def session_principal(request: Request, session: SessionDep, settings: SettingsDep) -> Principal:
    """The principal of the ``wt_session`` cookie (the same JWT the API issues); ``Unauthenticated``
    sends the browser to the log-in page."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthenticated()
    user, claims = await auth_service.user_for_token(session, token, settings)
    principal = await auth_service.principal_for(session, user, settings, lang=web_lang(request))
    refuse_undeclared(request, principal)
    request.state.principal = principal
    request.state.user = user
    request.state.claims = claims
    if claims.scope == SCOPE_ENROLL and not request.url.path.startswith("/account"):
        raise Forbidden("second_factor_enrollment_required", {})
    return principal


WebPrincipal = Annotated[Principal, Depends(session_principal)]


def home_for(p: Principal) -> str:
    """Each role lands on its own page."""
    if p.role in ("regulator", "admin"):
        return "/reg/alerts"
    if p.role == "driver":
        return "/d"
    if p.role == "auditor":
        return "/account"  # the auditor's pages are still to come; its reads go through /api/v1/audit-samples
    if "generator" in p.org_roles:
        return "/manifests"
    if "receiver" in p.org_roles:
        return "/r"
    return "/manifests"


def nav_for(p: Principal | None) -> list[tuple[str, str]]:
    if p is None:
        return []
    if p.role in ("regulator", "admin"):
        return [
            ("/reg/alerts", "nav.alerts"),
            ("/reg/flows", "nav.flows"),
            ("/reg/kpis", "nav.kpis"),
            ("/reg/balance", "nav.balance"),
            ("/reg/plans", "nav.reg_plans"),
            ("/reg/declarations", "nav.reg_declarations"),
            ("/reg/zones", "nav.zones"),
            ("/reg/routes", "nav.routes"),
            ("/reg/exemptions", "nav.reg_exemptions"),
            ("/reg/money", "nav.reg_money"),
            ("/manifests", "nav.manifests"),
        ]
    if p.role == "driver":
        return [("/d", "nav.driver_home"), ("/scan", "nav.scan")]
    if p.role == "auditor":
        return [("/account", "nav.account")]
    items = [("/manifests", "nav.manifests")]
    if "generator" in p.org_roles:
        items.append(("/manifests/new", "nav.new_manifest"))
        items += [("/ledger", "nav.ledger"), ("/plans", "nav.plans"), ("/declarations", "nav.declarations")]
        items.append(("/exemptions", "nav.exemptions"))
    if "receiver" in p.org_roles:
        items += [("/r", "nav.incoming"), ("/r/balance", "nav.receiver_balance")]
    if {"generator", "receiver"} & p.org_roles:
        items.append(("/money", "nav.money"))
        items.append(("/tickets", "nav.tickets"))
    return items


def safe_next(target: str | None) -> str | None:
    """Only a local path may follow a log-in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return None


def csrf_token(request: Request) -> str:
    token = request.cookies.get(CSRF_COOKIE)
    if not token:
        token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def csrf_ok(request: Request, sent: str | None) -> bool:
    expected = request.cookies.get(CSRF_COOKIE, "")
    return bool(expected) and hmac.compare_digest(sent or "", expected)


def secure_request(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def set_csrf_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(CSRF_COOKIE, token, httponly=False, samesite="lax", secure=secure_request(request), path="/")


def _finish(request: Request, response: Response) -> Response:
    new = getattr(request.state, "new_csrf", None)
    if new:
        set_csrf_cookie(request, response, new)
    lang = request.query_params.get("lang")
    if lang in LANGS and request.cookies.get(LANG_COOKIE) != lang:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", secure=secure_request(request), path="/")
    response.headers["Cache-Control"] = "no-store"
    return response


def lang_switch_url(request: Request, lang: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", lang)]
    return request.url.path + "?" + urlencode(params)


def render(request: Request, template: str, status_code: int = 200, **ctx: Any) -> Response:
    lang = web_lang(request)
    principal: Principal | None = getattr(request.state, "principal", None)
    user = getattr(request.state, "user", None)

    def t(key: str, **kw: Any) -> str:
        return gettext(lang, key, **kw)

    context = {
        "lang": lang,
        "t": t,
        "err": lambda code, details=None: translate(code, lang, details or {}),
        "principal": principal,
        "user": user,
        "nav": nav_for(principal),
        "path": request.url.path,
        "csrf": csrf_token(request),
        "static": static_url,
        "js_messages": js_messages(lang),
        "switch_url": lambda to: lang_switch_url(request, to),
        "dt": fmt_dt,
        "day": fmt_date,
        "qty": fmt_qty,
        "tonnes": fmt_t,
        "km": fmt_km,
        "pct": fmt_pct,
        **ctx,
    }
    response = templates.TemplateResponse(request, template, context, status_code=status_code)
    return _finish(request, response)


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303)


class WebRoute(APIRoute):
    """Pages answer in HTML: an expired or missing session goes to the log-in page, a domain error
    becomes an error page in the user's language with the right status."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except Unauthenticated:
                return login_redirect(request)
            except DomainError as e:
                if e.code == "second_factor_enrollment_required":  # the role requires it: set it up first
                    return RedirectResponse("/account?enroll=1", status_code=303)
                status = STATUS.get(e.kind, 422)
                message = translate(e.code, web_lang(request), e.details)
                return render(request, "error.html", status_code=status, status=status, message=message)
            except RequestValidationError:
                message = translate("validation_error", web_lang(request))
                return render(request, "error.html", status_code=422, status=422, message=message)

        return run
