"""``/admin``: login, a cross-tenant overview and the feature-flag page."""

from __future__ import annotations

import time

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from reference_target import flags as flag_file
from reference_target.app import logins
from reference_target.app.context import Ctx
from reference_target.app.pipeline import Spec, route


@route(Spec("admin", auth=False, creates_session=True))
def login(ctx: Ctx) -> Response:
    if ctx.on("admin_500"):
        raise RuntimeError("admin panel provider failed to boot")
    return logins.handle(ctx, area="admin", home="/admin")


@route(Spec("admin", auth=False))
def logout(ctx: Ctx) -> Response:
    if ctx.session is not None:
        ctx.session.invalidate()
    return RedirectResponse("/admin/login", status_code=302)


@route(Spec("admin"))
def home(ctx: Ctx) -> Response:
    if ctx.on("slow_admin_dashboard"):
        time.sleep(3.5)
    companies = ctx.db.all(
        "SELECT c.id, c.name, "
        "(SELECT COUNT(*) FROM users u WHERE u.company_id = c.id) AS users, "
        "(SELECT COUNT(*) FROM retell_call_sessions s WHERE s.company_id = c.id) AS calls, "
        "(SELECT COUNT(*) FROM appointments a WHERE a.company_id = c.id) AS appointments "
        "FROM companies c ORDER BY c.id")
    return ctx.render("admin/dashboard.html", companies=companies)


@route(Spec("admin"))
def flags(ctx: Ctx) -> Response:
    state_dir = ctx.app.runtime.state_dir
    if ctx.request.method == "POST":
        name = ctx.form.get("flag", "")
        if flag_file.env_var(name) is None:
            return RedirectResponse("/admin/flags", status_code=302)
        flag_file.set_flag(state_dir, name, ctx.form.get("value", "").lower() == "true")
        ctx.app.log.write("info", f"Feature flag {name} changed", {"user_id": ctx.metrics.user_id})
        return RedirectResponse("/admin/flags", status_code=302)
    rows = [{"name": name, "env": var, "on": flag_file.get(state_dir, name)}
            for name, var in flag_file.FLAGS.items()]
    return ctx.render("admin/flags.html", rows=rows)


ROUTES = [
    Route("/admin/login", login, methods=["GET", "POST"]),
    Route("/admin/logout", logout, methods=["POST"]),
    Route("/admin", home),
    Route("/admin/flags", flags, methods=["GET", "POST"]),
]
