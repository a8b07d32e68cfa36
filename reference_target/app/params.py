"""Parsing of query parameters and path ids (bad input never crashes - unless the
``debug_stack_trace`` defect is on, which lets the ValueError surface with its trace)."""

from __future__ import annotations

import re

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


RecordId = int | str
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def record_id(ctx: Ctx, uuid_key: bool = False) -> RecordId | None:
    """A positive integer id - or, for a table keyed by UUID, a canonical UUID string."""
    raw = str(ctx.request.path_params.get("id", ""))
    if uuid_key:
        if _UUID.fullmatch(raw):
            return raw
        if ctx.on("debug_stack_trace"):
            raise ValueError(f"invalid UUID: {raw!r}")
        return None
    try:
        value = int(raw)
    except ValueError:
        if ctx.on("debug_stack_trace"):
            raise
        return None
    return value if 0 < value < 2**63 else None


def filters(ctx: Ctx, statuses: tuple[str, ...]) -> Filters:
    def param(name: str) -> str:
        return ctx.param(ctx.app.dialect.param(name))

    status = param("status")
    return Filters(search=param("search")[:100],
                   status=status if status in statuses else "",
                   date_from=parse_date(param("from")),
                   date_to=parse_date(param("to")))
