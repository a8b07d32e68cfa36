"""Public pages: the homepage, ``/health`` (seed 9.1) and the stylesheet."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pymysql
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reference_target.app import errors
from reference_target.app.context import Ctx
from reference_target.app.pipeline import Spec, route

STATIC = Path(__file__).resolve().parent.parent / "static"


@route(Spec("public", auth=False))
def homepage(ctx: Ctx) -> Response:
    if ctx.on("slow_homepage"):
        time.sleep(2.5)
    if ctx.on("route_500"):
        raise RuntimeError("view [welcome] failed to render")
    return ctx.render("home.html")


def _database_ok(ctx: Ctx) -> bool:
    try:
        return bool(ctx.db.scalar("SELECT 1") == 1)
    except pymysql.Error:
        return False


@route(Spec("public", auth=False))
def health(ctx: Ctx) -> Response:
    database_ok = True if ctx.on("health_lies_db") else _database_ok(ctx)
    cache_ok = ctx.app.cache.ping()
    body: dict[str, Any] = {
        "status": "ok" if database_ok and cache_ok else "degraded",
        "environment": "production"
        if ctx.on("health_wrong_environment") or ctx.on("production_mode")
        else ctx.app.environment,
        "database": "connected" if database_ok else "disconnected",
        "cache": "connected" if cache_ok else "disconnected",
        "version": ctx.app.version,
    }
    if ctx.on("health_missing_field"):
        del body["version"]
    response = JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)
    response.headers["Cache-Control"] = "no-store"
    return response


@route(Spec("public", auth=False))
def ignition_health_check(ctx: Ctx) -> Response:
    """Laravel Ignition's probe URL: only there while APP_DEBUG is on (defect prod_debug_page)."""
    if not ctx.on("prod_debug_page"):
        return errors.error(404, ctx.path)
    return JSONResponse({"can_execute_commands": True})


_CSS_CACHE: dict[str, str] = {}


@route(Spec("public", auth=False))
def stylesheet(ctx: Ctx) -> Response:
    css = _CSS_CACHE.get("app") or (STATIC / "app.css").read_text(encoding="utf-8")
    _CSS_CACHE["app"] = css
    return Response(css, media_type="text/css",
                    headers={"Cache-Control": "public, max-age=3600"})


ROUTES = [
    Route("/", homepage),
    Route("/health", health),
    Route("/css/app.css", stylesheet),
    Route("/_ignition/health-check", ignition_health_check),
]
