"""The customer portal's HTML pages (``/portal``), behind FEATURE_CUSTOMER_PORTAL."""

from __future__ import annotations

import calendar
import dataclasses
import time
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from reference_target.app import dashboard, errors, logins, params, repo, tenancy
from reference_target.app.context import Ctx
from reference_target.app.pipeline import Spec, route


@route(Spec("portal", auth=False, creates_session=True))
def login(ctx: Ctx) -> Response:
    return logins.handle(ctx, area="portal", home="/portal")


@route(Spec("portal", auth=False, csrf_exempt_defect="csrf_missing_form"))
def logout(ctx: Ctx) -> Response:
    if ctx.request.method != "POST":
        return errors.error(405, ctx.path)
    if ctx.session is not None:
        ctx.session.invalidate()
    return RedirectResponse("/portal/login", status_code=302)


@route(Spec("portal"))
def home(ctx: Ctx) -> Response:
    if ctx.on("slow_portal_dashboard"):
        time.sleep(3.5)
    data, hit = dashboard.load(ctx)
    peak = max([day["count"] for day in data["chart"]] + [1])
    response = ctx.render("portal/dashboard.html", stats=data["stats"], chart=data["chart"],
                          peak=peak, recent=data["recent"])
    response.headers["X-Cache"] = "HIT" if hit else "MISS"
    return response


def _query(ctx: Ctx, **changes: Any) -> str:
    values = dict(ctx.request.query_params)
    values.update({k: str(v) for k, v in changes.items()})
    return "?" + urlencode({k: v for k, v in values.items() if v != ""})


@route(Spec("portal", section="calls", flag_bypass_defect="flag_off_route_200"))
def calls(ctx: Ctx) -> Response:
    page_no = params.page_number(ctx)
    filters = params.filters(ctx, repo.CALL_STATUSES)
    if ctx.on("sql_injection_filter_page"):  # the page takes its status filter unchecked
        filters = dataclasses.replace(filters, status=ctx.param(ctx.app.dialect.param("status")))
    result = repo.calls_page(ctx.db, ctx.company_id, filters, page_no, ctx.app.defects.active())
    return ctx.render("portal/calls.html", page=result, filters=filters,
                      statuses=repo.CALL_STATUSES,
                      prev_url=_query(ctx, page=page_no - 1) if page_no > 1 else None,
                      next_url=_query(ctx, page=page_no + 1)
                      if page_no < result.last_page else None)


@route(Spec("portal", section="calls"))
def call_show(ctx: Ctx) -> Response:
    call_id = params.record_id(ctx, uuid_key=ctx.app.dialect.uuid_call_ids)
    row = None if call_id is None else repo.call_detail(
        ctx.db, ctx.company_id, call_id, ctx.app.defects.active())
    if row is None:
        return tenancy.not_found(ctx, "retell_call_sessions", call_id)
    return ctx.render("portal/call.html", call=row)


def _month(ctx: Ctx, filters: repo.Filters) -> date:
    raw = ctx.param("month")
    try:
        year, month = (int(part) for part in raw.split("-")[:2])
        return date(year, month, 1)
    except ValueError:
        base = filters.date_from or date.today()
        return base.replace(day=1)


def _calendar(ctx: Ctx, filters: repo.Filters) -> dict[str, Any]:
    first = _month(ctx, filters)
    last_day = calendar.monthrange(first.year, first.month)[1]
    end = first + timedelta(days=last_day)
    rows = repo.appointments_between(ctx.db, ctx.company_id, first, end, filters.status)
    by_day: dict[date, list[dict[str, Any]]] = {}
    for row in rows:
        by_day.setdefault(row["starts_at"].date(), []).append(row)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    prev_month = (first - timedelta(days=1)).replace(day=1)
    return {"month": first, "weeks": weeks, "by_day": by_day, "total": len(rows),
            "prev_url": _query(ctx, month=prev_month.strftime("%Y-%m")),
            "next_url": _query(ctx, month=end.strftime("%Y-%m")),
            "broken": ctx.on("broken_calendar")}


@route(Spec("portal", section="appointments", anonymous_defect="portal_route_anonymous"))
def appointments(ctx: Ctx) -> Response:
    view = "calendar" if ctx.param("view") == "calendar" else "list"
    filters = params.filters(ctx, repo.APPOINTMENT_STATUSES)
    context: dict[str, Any] = {"view": view, "filters": filters,
                               "statuses": repo.APPOINTMENT_STATUSES,
                               "list_url": _query(ctx, view="list", page=""),
                               "calendar_url": _query(ctx, view="calendar", page="")}
    if view == "calendar":
        context["cal"] = _calendar(ctx, filters)
    else:
        page_no = params.page_number(ctx)
        result = repo.appointments_page(ctx.db, ctx.company_id, filters, page_no,
                                        ctx.app.defects.active())
        context.update(page=result,
                       upcoming=filters.date_from is None and filters.date_to is None,
                       prev_url=_query(ctx, page=page_no - 1) if page_no > 1 else None,
                       next_url=_query(ctx, page=page_no + 1)
                       if page_no < result.last_page else None)
    return ctx.render("portal/appointments.html", **context)


@route(Spec("portal", section="appointments"))
def appointment_show(ctx: Ctx) -> Response:
    appointment_id = params.record_id(ctx)
    row = None if appointment_id is None else repo.appointment_detail(
        ctx.db, ctx.company_id, appointment_id)
    if row is None:
        return tenancy.not_found(ctx, "appointments", appointment_id)
    return ctx.render("portal/appointment.html", appointment=row)


SECTION_TABLES = {
    "crm": ("customers", "Kunden", ("name", "created_at")),
    "services": ("services", "Leistungen", ("name", "duration_minutes")),
    "staff": ("staff", "Mitarbeiter", ("name", "is_active")),
}


def _section(section: str) -> Any:
    table, title, columns = SECTION_TABLES[section]

    @route(Spec("portal", section=section))
    def listing(ctx: Ctx) -> Response:
        rows = ctx.db.all(f"SELECT id, {', '.join(columns)} FROM {table} "
                          "WHERE company_id = %s ORDER BY id LIMIT 100", (ctx.company_id,))
        return ctx.render("portal/section.html", title=title, columns=columns, rows=rows)

    return listing


@route(Spec("portal", auth=False))
def portal_fallback(ctx: Ctx) -> Response:
    """Unknown /portal/* paths: behind the flag like the rest, then 404."""
    if ctx.path == "/portal/":
        return RedirectResponse("/portal", status_code=301)
    return errors.error(404, ctx.path)


ROUTES = [
    Route("/portal/login", login, methods=["GET", "POST"]),
    Route("/portal/logout", logout, methods=["GET", "POST"]),
    Route("/portal", home),
    Route("/portal/calls", calls),
    Route("/portal/calls/{id}", call_show),
    Route("/portal/appointments", appointments),
    Route("/portal/appointments/{id}", appointment_show),
    Route("/portal/customers", _section("crm")),
    Route("/portal/services", _section("services")),
    Route("/portal/staff", _section("staff")),
    Route("/portal/{rest:path}", portal_fallback, methods=["GET", "POST", "PUT", "PATCH",
                                                           "DELETE"]),
]
