"""Parsing of query parameters and path ids (bad input never crashes - unless the
``debug_stack_trace`` defect is on, which lets the ValueError surface with its trace)."""

from __future__ import annotations

from reference_target.app.context import Ctx
from reference_target.app.repo import Filters, parse_date


def page_number(ctx: Ctx) -> int:
    raw = ctx.param("page", "1") or "1"
    try:
        return max(1, int(raw))
    except ValueError:
        if ctx.on("debug_stack_trace"):
            raise
        return 1


def record_id(ctx: Ctx) -> int | None:
    raw = str(ctx.request.path_params.get("id", ""))
    try:
        value = int(raw)
    except ValueError:
        if ctx.on("debug_stack_trace"):
            raise
        return None
    return value if 0 < value < 2**63 else None


def filters(ctx: Ctx, statuses: tuple[str, ...]) -> Filters:
    status = ctx.param("status")
    return Filters(search=ctx.param("search")[:100],
                   status=status if status in statuses else "",
                   date_from=parse_date(ctx.param("from")),
                   date_to=parse_date(ctx.param("to")))
