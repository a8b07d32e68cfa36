"""The AskPro AI Gateway stand-in: a Starlette app following Laravel 11 conventions.

``uvicorn --factory reference_target.app:create_app`` with ``REFERENCE_STATE_DIR=DIR``.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware

from reference_target.app import (
    errors,
    routes_admin,
    routes_api,
    routes_assets,
    routes_portal,
    routes_public,
)
from reference_target.app.middleware import AppSecurityHeadersMiddleware, RequestLogMiddleware
from reference_target.app.state import AppState


def create_app(state_dir: Path | None = None) -> Starlette:
    folder = state_dir or Path(os.environ["REFERENCE_STATE_DIR"])
    state = AppState.from_state_dir(folder.resolve())
    app = Starlette(
        routes=[*routes_public.ROUTES, *(routes_assets.ROUTES if state.dialect.templates else []),
                *routes_admin.ROUTES, *routes_portal.ROUTES, *routes_api.ROUTES],
        middleware=[Middleware(RequestLogMiddleware, log=state.log,
                               query_count_header=state.dialect.query_count_header),
                    Middleware(AppSecurityHeadersMiddleware, defects=state.defects)],
        exception_handlers={HTTPException: errors.http_exception,
                            Exception: errors.server_error},
    )
    app.state.target = state
    return app
