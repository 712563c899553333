"""The one map from errors to HTTP responses: ``{code, message, details}`` everywhere."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.validation import readable
from waste_tracker.errors import DomainError, TooManyRequests
from waste_tracker.i18n import pick_lang, translate

log = logging.getLogger("waste_tracker.api")

STATUS = {
    "invalid": 422,
    "not_found": 404,
    "forbidden": 403,
    "conflict": 409,
    "unauthenticated": 401,
    "too_many": 429,
}


def lang_of(request: Request) -> str:
    lang = request.query_params.get("lang")
    if lang in ("en", "zh-CN"):
        return lang
    return pick_lang(request.headers.get("accept-language"))


def error_response(
    request: Request,
    status: int,
    code: str,
    details: Any = None,
    message: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    fmt = details if isinstance(details, dict) else {}
    body = {"code": code, "message": message or translate(code, lang_of(request), fmt), "details": details}
    return JSONResponse(body, status_code=status, headers=headers)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


async def domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status = STATUS.get(exc.kind, 422)
    headers = {}
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return error_response(request, status, exc.code, _jsonable(exc.details), exc.message, headers or None)


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    code = "validation_error"
    for e in exc.errors():
        if e.get("type") == "json_invalid":
            code = "malformed_json"
        errors.append(readable(dict(e), lang_of(request)))
    return error_response(request, 422, code, {"errors": errors})


_HTTP_CODES = {
    400: "unreadable_body",  # FastAPI's "error parsing the body": not UTF-8, nested too deeply, ...
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    details: Any = None
    if exc.status_code == 404:
        details = {"resource": "path", "id": request.url.path}
    elif isinstance(exc.detail, dict):
        details = exc.detail
    return error_response(request, exc.status_code, code, details, headers=getattr(exc, "headers", None))


async def integrity_error(request: Request, exc: Exception) -> JSONResponse:
    # Services check uniqueness first; a race that slips past them is still a conflict, not a 500.
    constraint = getattr(getattr(getattr(exc, "orig", None), "diag", None), "constraint_name", None)
    return error_response(request, 409, "conflict", {"constraint": constraint, "reason": constraint or "constraint"})


async def db_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", type(exc).__name__)
    return error_response(request, 503, "database_unavailable", None, headers={"Retry-After": "2"})


async def unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(request, 500, "internal_error", None)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(IntegrityError, integrity_error)
    app.add_exception_handler(OperationalError, db_unavailable)
    app.add_exception_handler(DBAPIError, _dbapi)
    app.add_exception_handler(Exception, unexpected)


async def _dbapi(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    if exc.connection_invalidated:
        return await db_unavailable(request, exc)
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None) or ""
    if sqlstate.startswith("08") or sqlstate in ("57P01", "57P02", "57P03"):
        return await db_unavailable(request, exc)
    if sqlstate.startswith("22") or isinstance(exc, DataError):
        # A data exception: a value out of a column's range, or text PostgreSQL cannot store (NUL).
        return error_response(request, 422, "validation_error", {"reason": "value not storable", "sqlstate": sqlstate or None})
    return await unexpected(request, exc)
