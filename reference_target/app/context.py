"""One request's context: the DB handle, the session, the user, the defects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from reference_target.app import metrics, sessions
from reference_target.app.db import RequestDb
from reference_target.app.render import page
from reference_target.app.sessions import Session
from reference_target.app.state import AppState

XSRF_COOKIE = "XSRF-TOKEN"


@dataclass(frozen=True)
class User:
    id: int
    company_id: int | None
    name: str
    role: str
    company_name: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" and self.company_id is None


class Ctx:
    def __init__(self, app: AppState, request: Request, form: dict[str, str]) -> None:
        self.app = app
        self.request = request
        self.form = form
        self.db = RequestDb(app.runtime, app.database)
        self.session: Session | None = None
        self.user: User | None = None
        self.metrics = metrics.current()

    # --- inputs -------------------------------------------------------------------------
    def on(self, defect: str) -> bool:
        return self.app.defects.on(defect)

    def param(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default).strip()

    @property
    def path(self) -> str:
        return self.request.url.path

    # --- session and user ---------------------------------------------------------------
    def load_session(self, create: bool) -> Session | None:
        if self.session is None:
            cookie = self.request.cookies.get(self.app.dialect.session_cookie)
            self.session = sessions.load(self.db, cookie)
            if self.session is None and create:
                self.session = sessions.fresh()
        return self.session

    def csrf_token(self) -> str:
        session = self.load_session(create=True)
        assert session is not None
        return session.token

    def load_user(self) -> User | None:
        session = self.session
        if session is None or session.user_id is None:
            return None
        row = self.db.first(
            "SELECT u.id, u.company_id, u.name, u.role, COALESCE(c.name, '') AS company_name "
            "FROM users u LEFT JOIN companies c ON c.id = u.company_id WHERE u.id = %s",
            (session.user_id,))
        if row is None:
            return None
        company = row["company_id"]
        self.user = User(id=int(row["id"]), company_id=int(company) if company else None,
                         name=str(row["name"]), role=str(row["role"]),
                         company_name=str(row["company_name"]))
        self.metrics.user_id = self.user.id
        return self.user

    @property
    def company_id(self) -> int:
        """The tenant of the logged-in user (0 = none: matches no rows)."""
        return self.user.company_id or 0 if self.user else 0

    # --- output -------------------------------------------------------------------------
    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        flags = self.app.flags()
        return page(template, status=status, templates=self.app.dialect.templates,
                    query=self.request.query_params, user=self.user, csrf_token=self.csrf_token(),
                    flags=flags, path=self.path, environment=self.app.environment,
                    csrf_in_logout=not self.on("csrf_missing_form"), **context)

    def finish(self, response: Response) -> None:
        try:
            if self.session is not None:
                sessions.save(self.db, self.session, self._client_ip(),
                              self.request.headers.get("user-agent", ""))
                self._set_cookies(response, self.session)
        finally:
            self.db.close()

    def _client_ip(self) -> str:
        forwarded = self.request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
        client = self.request.client
        return client.host if client else ""

    def _set_cookies(self, response: Response, session: Session) -> None:
        insecure = self.on("cookie_insecure")
        response.set_cookie(self.app.dialect.session_cookie, session.id,
                            max_age=sessions.LIFETIME_SECONDS,
                            path="/", secure=not insecure, httponly=not insecure,
                            samesite="lax")
        response.set_cookie(XSRF_COOKIE, session.token, max_age=sessions.LIFETIME_SECONDS,
                            path="/", secure=True, httponly=False, samesite="lax")
