"""App middleware: ``X-Query-Count`` on every response (if the dialect sends it), one log
line per request, and the security headers the app itself sends (none while healthy: nginx
sends them)."""

from __future__ import annotations

import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reference_target.app import metrics
from reference_target.app.applog import AppLog
from reference_target.app.defects import DefectSwitch


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp, log: AppLog, query_count_header: bool = True) -> None:
        self.app = app
        self.log = log
        self.query_count_header = query_count_header

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_metrics = metrics.begin()
        started = time.perf_counter()
        status = 500

        async def send_with_count(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                if self.query_count_header:
                    headers = MutableHeaders(scope=message)
                    headers["X-Query-Count"] = str(request_metrics.queries)
            await send(message)

        try:
            await self.app(scope, receive, send_with_count)
        finally:
            elapsed = round((time.perf_counter() - started) * 1000)
            self.log.write("info", f"{scope['method']} {scope['path']} {status} {elapsed}ms",
                           {"user_id": request_metrics.user_id})


# DEFECT duplicate_hsts: the app sends its own, weaker HSTS (as a Laravel security-headers
# middleware might); nginx adds its own line after it, so the response carries two fields.
WEAK_HSTS = "max-age=86400"


class AppSecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, defects: DefectSwitch) -> None:
        self.app = app
        self.defects = defects

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.defects.on("duplicate_hsts"):
            await self.app(scope, receive, send)
            return

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("Strict-Transport-Security", WEAK_HSTS)
            await send(message)

        await self.app(scope, receive, send_with_hsts)
