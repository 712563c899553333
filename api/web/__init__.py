"""The web interface: server-rendered Jinja2 pages with small vanilla-JS modules that call the JSON
API (see docs/architecture.md, "Web interface"). Everything it needs — scripts, styles, the map
library, the QR decoder — is served from ``/web-static``; nothing loads from elsewhere."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.web import account, auth, cradle, dashboard, exemptions, money, notifications, pages, regulator, road
from api.web.render import STATIC_DIR


def install(app: FastAPI) -> None:
    """Mount the web app's static files and register its pages."""
    app.include_router(auth.router)
    app.include_router(account.router)
    app.include_router(dashboard.router)
    app.include_router(pages.router)
    app.include_router(regulator.router)
    app.include_router(cradle.router)
    app.include_router(road.router)
    app.include_router(exemptions.router)
    app.include_router(money.router)
    app.include_router(notifications.router)
    app.mount("/web-static", StaticFiles(directory=str(STATIC_DIR)), name="web-static")
