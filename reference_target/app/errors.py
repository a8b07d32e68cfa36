"""Error responses. 404 bodies are constant: a missing record, another tenant's record,
an unknown route and a disabled feature all look the same. No stack traces - unless the
``debug_stack_trace`` defect is on."""

from __future__ import annotations

import traceback

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from reference_target.app.render import render_text

_TITLES = {
    401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    419: "Page Expired", 500: "Server Error", 503: "Service Unavailable",
}
_JSON_MESSAGES = {
    401: "Unauthenticated.", 403: "This action is unauthorized.", 404: "Not Found.",
    405: "Method Not Allowed.", 419: "CSRF token mismatch.", 500: "Server Error",
    503: "Service Unavailable",
}
_HTML_CACHE: dict[int, str] = {}


def is_api(path: str) -> bool:
    return path.startswith("/api/")


def html_error(status: int) -> HTMLResponse:
    body = _HTML_CACHE.get(status)
    if body is None:
        body = render_text("error.html", status=status, title=_TITLES.get(status, "Error"))
        _HTML_CACHE[status] = body
    return HTMLResponse(body, status_code=status)


def json_error(status: int) -> JSONResponse:
    return JSONResponse({"message": _JSON_MESSAGES.get(status, "Error")}, status_code=status)


def error(status: int, path: str) -> Response:
    return json_error(status) if is_api(path) else html_error(status)


def debug_trace(exc: BaseException, request_line: str) -> HTMLResponse:
    """What APP_DEBUG=true shows: the exception and its full stack trace."""
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    body = render_text("debug.html", exception=type(exc).__name__, message=str(exc),
                       trace=trace, request_line=request_line)
    return HTMLResponse(body, status_code=500)


async def http_exception(request: Request, exc: Exception) -> Response:
    status = int(getattr(exc, "status_code", 500))
    return error(status if status in _TITLES else 500, request.url.path)


async def server_error(request: Request, exc: Exception) -> Response:
    return error(500, request.url.path)
