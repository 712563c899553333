"""The application factory."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.ext.asyncio import AsyncEngine

from api import errors, web
from api.middleware import BodySizeLimit, ContentTypeGuard, InternalErrors, SecurityHeaders
from api.routes import (
    alerts,
    approved_routes,
    audits,
    auth,
    candidates,
    declarations,
    exemptions,
    health,
    labels,
    ledger,
    manifests,
    money,
    notifications,
    plans,
    public,
    registry,
    rules,
    scans,
    stats,
    tickets,
    tracks,
    zones,
)
from waste_tracker import __version__
from waste_tracker.config import Settings, get_settings
from waste_tracker.db import database_url, make_async_engine, session_factory

log = logging.getLogger("waste_tracker.api")

DESCRIPTION = """
危险废物与一般工业固体废物全过程电子追踪系统 — electronic cradle-to-grave tracking of hazardous
and general industrial solid waste.

Authenticate with `POST /api/v1/auth/token` (OAuth2 password flow) and send
`Authorization: Bearer <token>`, or send an API key as `X-API-Key`. Errors are always
`{"code", "message", "details"}`; messages are zh-CN unless `Accept-Language: en`.
"""


def _install_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from the vendored swagger-ui-dist (no CDN)."""
    from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
    from fastapi.responses import HTMLResponse

    from api.deps import PUBLIC

    @app.get("/docs", include_in_schema=False, openapi_extra=PUBLIC)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"{app.title} — API",
            oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )

    @app.get("/docs/oauth2-redirect", include_in_schema=False, openapi_extra=PUBLIC)
    async def docs_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()


def create_app(settings: Settings | None = None, engine: AsyncEngine | None = None) -> FastAPI:
    settings = settings or get_settings()
    own_engine = engine is None
    engine = engine or make_async_engine(database_url(settings))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = None
        if settings.sweep_interval_seconds > 0 or settings.anchor_interval_seconds > 0:
            from waste_tracker.schedule.jobs import scheduler_loop

            task = asyncio.create_task(scheduler_loop(engine, settings))
        yield
        if task is not None:
            task.cancel()
        if own_engine:
            await engine.dispose()

    app = FastAPI(
        title="waste-tracker 固废全过程追踪",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served below from vendored assets: the docs work offline
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = session_factory(engine)
    errors.install(app)
    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(registry.router)
    app.include_router(manifests.router)
    app.include_router(labels.router)
    app.include_router(scans.router)
    app.include_router(exemptions.router)
    app.include_router(exemptions.requests)
    app.include_router(alerts.router)
    app.include_router(rules.router)
    app.include_router(stats.router)
    app.include_router(candidates.router)
    app.include_router(ledger.router)
    app.include_router(plans.router)
    app.include_router(declarations.router)
    app.include_router(tracks.router)
    app.include_router(zones.router)
    app.include_router(approved_routes.router)
    app.include_router(tickets.router)
    app.include_router(money.router)
    app.include_router(public.router)
    app.include_router(notifications.router)
    app.include_router(audits.router)
    web.install(app)
    _install_docs(app)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).resolve().parent / "static")), name="static")
    app.add_middleware(ContentTypeGuard)
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
    app.add_middleware(InternalErrors)
    app.add_middleware(SecurityHeaders, hsts=settings.is_production)
    return app
