"""JSON API under ``/api/portal`` (session authentication, Laravel resource shapes)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reference_target.app import dashboard, errors, params, repo, tenancy
from reference_target.app.context import Ctx
from reference_target.app.db import Row
from reference_target.app.pipeline import Spec, route

CALL_FIELDS = ("id", "company_id", "call_id", "caller_number", "direction", "status",
               "duration_seconds", "summary", "customer_name", "started_at", "created_at")
APPOINTMENT_FIELDS = ("id", "company_id", "customer_name", "staff_name", "service_name",
                      "branch_name", "starts_at", "ends_at", "status")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _pick(row: Row, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(row.get(name)) for name in fields}


def _paginated(ctx: Ctx, page: repo.Page, fields: tuple[str, ...]) -> JSONResponse:
    def link(number: int) -> str | None:
        if number < 1 or number > page.last_page:
            return None
        query = dict(ctx.request.query_params)
        query["page"] = str(number)
        return str(ctx.request.url.include_query_params(**query))

    return JSONResponse({
        "data": [_pick(row, fields) for row in page.rows],
        "links": {"first": link(1), "last": link(page.last_page), "prev": link(page.page - 1),
                  "next": link(page.page + 1)},
        "meta": {"current_page": page.page, "last_page": page.last_page,
                 "per_page": repo.PER_PAGE, "total": page.total},
    })


@route(Spec("api", section="calls", flag_bypass_defect="flag_off_api_200"))
def calls(ctx: Ctx) -> Response:
    # The API's status filter stays parametrized even when the page's is concatenated.
    defects = ctx.app.defects.active() - {"sql_injection_filter_page"}
    page = repo.calls_page(ctx.db, ctx.company_id, params.filters(ctx, repo.CALL_STATUSES),
                           params.page_number(ctx), defects)
    return _paginated(ctx, page, CALL_FIELDS)


@route(Spec("api", section="calls"))
def call_show(ctx: Ctx) -> Response:
    call_id = params.record_id(ctx, uuid_key=ctx.app.dialect.uuid_call_ids)
    scope = None if ctx.on("tenant_leak_api_detail") else ctx.company_id
    row = None if call_id is None else repo.call_detail(ctx.db, scope, call_id,
                                                        ctx.app.defects.active())
    if row is None:
        return tenancy.not_found(ctx, "retell_call_sessions", call_id)
    data = _pick(row, (*CALL_FIELDS, "ended_at"))
    data["transcript"] = [{k: _plain(v) for k, v in line.items()} for line in row["transcript"]]
    return JSONResponse({"data": data})


@route(Spec("api", section="appointments"))
def appointments(ctx: Ctx) -> Response:
    page = repo.appointments_page(ctx.db, ctx.company_id,
                                  params.filters(ctx, repo.APPOINTMENT_STATUSES),
                                  params.page_number(ctx), ctx.app.defects.active())
    return _paginated(ctx, page, APPOINTMENT_FIELDS)


@route(Spec("api", section="appointments"))
def appointment_show(ctx: Ctx) -> Response:
    appointment_id = params.record_id(ctx)
    row = None if appointment_id is None else repo.appointment_detail(
        ctx.db, ctx.company_id, appointment_id)
    if row is None:
        return tenancy.not_found(ctx, "appointments", appointment_id)
    return JSONResponse({"data": _pick(row, (*APPOINTMENT_FIELDS, "notes"))})


@route(Spec("api"))
def stats(ctx: Ctx) -> Response:
    data, hit = dashboard.load(ctx)
    response = JSONResponse({"data": data["stats"]})
    response.headers["X-Cache"] = "HIT" if hit else "MISS"
    return response


@route(Spec("api", auth=False))
def api_fallback(ctx: Ctx) -> Response:
    return errors.error(404, ctx.path)


ROUTES = [
    Route("/api/portal/calls", calls),
    Route("/api/portal/calls/{id}", call_show),
    Route("/api/portal/appointments", appointments),
    Route("/api/portal/appointments/{id}", appointment_show),
    Route("/api/portal/stats", stats),
    Route("/api/portal/{rest:path}", api_fallback,
          methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
]
