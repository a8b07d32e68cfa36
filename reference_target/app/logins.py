"""The login form and its POST, shared by ``/portal/login`` and ``/admin/login``."""

from __future__ import annotations

from typing import Literal

from starlette.responses import RedirectResponse, Response

from reference_target.app.context import Ctx
from reference_target.passwords import verify_password

FAILED = "Diese Zugangsdaten stimmen nicht mit unseren Daten überein."


def _valid(ctx: Ctx, area: Literal["portal", "admin"], email: str, password: str) -> int | None:
    row = ctx.db.first("SELECT id, password, company_id, role FROM users WHERE email = %s",
                       (email,))
    if row is None or not verify_password(password, str(row["password"])):
        return None
    if area == "admin":
        ok = row["role"] == "admin" and row["company_id"] is None
    else:
        ok = row["company_id"] is not None
    return int(row["id"]) if ok else None


def handle(ctx: Ctx, area: Literal["portal", "admin"], home: str) -> Response:
    session = ctx.session
    assert session is not None
    if ctx.request.method == "GET":
        if ctx.load_user() is not None and (ctx.user and (ctx.user.is_admin == (area == "admin"))):
            return RedirectResponse(home, status_code=302)
        return ctx.render("login.html", area=area, action=f"/{area}/login",
                          error=session.pull("_flash_error"))
    email = ctx.form.get("email", "").strip().lower()
    if ctx.on("pii_in_log"):
        ctx.app.log.write("info", "Login attempt", {"email": email})
    user_id = _valid(ctx, area, email, ctx.form.get("password", ""))
    if user_id is None:
        ctx.app.log.write("warning", f"Failed {area} login", {"user_id": None})
        session.put("_flash_error", FAILED)
        return RedirectResponse(f"/{area}/login", status_code=302)
    session.login(user_id)
    ctx.metrics.user_id = user_id
    ctx.app.log.write("info", f"User logged in to {area}", {"user_id": user_id})
    return RedirectResponse(home, status_code=302)
