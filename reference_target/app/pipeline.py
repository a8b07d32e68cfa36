"""The route wrapper: feature flag, session, CSRF, authentication, errors - in that order.

Handlers are plain functions ``(Ctx) -> Response`` run in the thread pool (pymysql blocks).
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from reference_target.app import errors, pilots
from reference_target.app.context import Ctx
from reference_target.app.state import AppState

Area = Literal["public", "portal", "api", "admin"]
Handler = Callable[[Ctx], Response]
Endpoint = Callable[[Request], Awaitable[Response]]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The api_single_worker defect: portal and API served by a pool of one PHP-FPM child. One
# user never waits (every answer as fast as healthy, however quickly they click, from the
# first request after the login on); once a second logged-in session has asked for a portal
# page or the API within BUSY_WINDOW_S, each API answer waits QUEUED_API_S behind the other's.
# Counting users, not overlaps, makes the slowdown as sure as the load: it does not depend on
# two requests meeting in the scheduler.
BUSY_WINDOW_S = 2.0
QUEUED_API_S = 0.7
_last_seen: dict[str, float] = {}  # session cookie -> its last portal/API request (monotonic s)
_last_seen_lock = threading.Lock()


def _users_active(session: str, now: float) -> int:
    """Record a portal/API request of `session` at `now`; how many sessions asked within
    BUSY_WINDOW_S (this one included)."""
    with _last_seen_lock:
        _last_seen[session] = now
        for other, seen in list(_last_seen.items()):
            if now - seen > BUSY_WINDOW_S:
                del _last_seen[other]
        return len(_last_seen)


@dataclass(frozen=True)
class Spec:
    area: Area
    section: str | None = None        # feature sub-flag of a portal section
    auth: bool = True                 # a logged-in user is required
    creates_session: bool = False     # pages with forms start a session for anonymous users
    flag_bypass_defect: str | None = None
    anonymous_defect: str | None = None
    csrf_exempt_defect: str | None = None


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.target
    return state


def route(spec: Spec) -> Callable[[Handler], Endpoint]:
    def decorate(handler: Handler) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            form: dict[str, str] = {}
            if request.method not in SAFE_METHODS:
                data = await request.form()
                form = {key: value for key, value in data.items() if isinstance(value, str)}
            return await run_in_threadpool(_handle, app_state(request), spec, handler,
                                           request, form)

        endpoint.__name__ = handler.__name__
        return endpoint

    return decorate


def _handle(app: AppState, spec: Spec, handler: Handler, request: Request,
            form: dict[str, str]) -> Response:
    ctx = Ctx(app, request, form)
    response: Response
    try:
        response = _pipeline(ctx, spec, handler)
    except Exception as exc:  # an error page, never a crash
        response = _server_error(ctx, exc)
    try:
        ctx.finish(response)
    except Exception as exc:
        response = _server_error(ctx, exc)
    return response


def _server_error(ctx: Ctx, exc: Exception) -> Response:
    ctx.app.log.write("error", f"{type(exc).__name__} during {ctx.request.method} {ctx.path}",
                      {"user_id": ctx.metrics.user_id})
    if ctx.on("debug_stack_trace"):
        return errors.debug_trace(exc, f"{ctx.request.method} {ctx.request.url}")
    return errors.error(500, ctx.path)


def _portal_enabled(ctx: Ctx, spec: Spec) -> bool:
    # Production's .env has FEATURE_CUSTOMER_PORTAL=false (seed Part 6.1 Phase 1).
    if ctx.on("production_mode") and not ctx.on("prod_flag_left_on"):
        return False
    return ctx.app.section_enabled(spec.section) and pilots.admits(ctx, spec.auth)


def _flag_gate(ctx: Ctx, spec: Spec) -> Response | None:
    if _portal_enabled(ctx, spec):
        return None
    if ctx.on("flag_off_route_403"):
        return errors.error(403, ctx.path)
    if spec.flag_bypass_defect and ctx.on(spec.flag_bypass_defect):
        return None
    return errors.error(404, ctx.path)


def _csrf_ok(ctx: Ctx) -> bool:
    session = ctx.session
    sent = (ctx.form.get("_token") or ctx.request.headers.get("x-csrf-token")
            or ctx.request.headers.get("x-xsrf-token") or "")
    return bool(session and sent) and hmac.compare_digest(sent, session.token if session else "")


def _unauthenticated(ctx: Ctx, spec: Spec) -> Response:
    if spec.area == "api":
        return errors.error(401, ctx.path)
    target = "/admin/login" if spec.area == "admin" else "/portal/login"
    return RedirectResponse(target, status_code=302)


def _authorised(ctx: Ctx, spec: Spec) -> bool:
    user = ctx.load_user()
    if user is None:
        return False
    return user.is_admin if spec.area == "admin" else user.company_id is not None


def _queue_behind_other_users(ctx: Ctx, spec: Spec) -> None:
    """The api_single_worker defect: a logged-in portal/API request records its session; an
    API request waits QUEUED_API_S while another logged-in session is active. Login pages
    and anonymous requests count for nothing (a login changes the session id)."""
    if spec.area not in ("portal", "api") or not spec.auth or not ctx.on("api_single_worker"):
        return
    session = ctx.load_session(create=False)
    if session is None or session.user_id is None:
        return
    if _users_active(session.id, time.monotonic()) > 1 and spec.area == "api":
        time.sleep(QUEUED_API_S)


def _pipeline(ctx: Ctx, spec: Spec, handler: Handler) -> Response:
    _queue_behind_other_users(ctx, spec)
    return _steps(ctx, spec, handler)


def _steps(ctx: Ctx, spec: Spec, handler: Handler) -> Response:
    if spec.area == "api" and ctx.on("slow_api"):
        time.sleep(0.8)
    if spec.area in ("portal", "api"):
        blocked = _flag_gate(ctx, spec)
        if blocked is not None:
            return blocked
    if ctx.on("portal_route_unregistered") and ctx.path.startswith("/portal/appointments"):
        return errors.error(404, ctx.path)  # as if the route file forgot the appointments page
    if spec.area != "public":
        ctx.load_session(create=spec.creates_session)
    if ctx.request.method not in SAFE_METHODS:
        exempt = spec.csrf_exempt_defect is not None and ctx.on(spec.csrf_exempt_defect)
        if not exempt and not _csrf_ok(ctx):
            return errors.error(419, ctx.path)
    if spec.auth and not _authorised(ctx, spec):
        if not (spec.anonymous_defect and ctx.on(spec.anonymous_defect)):
            return _unauthenticated(ctx, spec)
        ctx.user = None
    if ctx.user is not None and ctx.on("pii_in_log_logged_in"):
        _log_request_with_email(ctx)
    return handler(ctx)


def _log_request_with_email(ctx: Ctx) -> None:
    """Seeded defect: a request logger that writes the logged-in user's address."""
    assert ctx.user is not None
    row = ctx.db.first("SELECT email FROM users WHERE id = %s", (ctx.user.id,))
    ctx.app.log.write("info", f"{ctx.request.method} {ctx.path}",
                      {"user_id": ctx.user.id, "email": row["email"] if row else None})
