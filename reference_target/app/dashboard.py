"""Dashboard data through the Redis cache (``{prefix}dashboard_stats_{company_id}``, 60 s)."""

from __future__ import annotations

import copy
from typing import Any

from reference_target.app import repo
from reference_target.app.context import Ctx

TTL_SECONDS = 60


def cache_key(company_id: int) -> str:
    return f"dashboard_stats_{company_id}"


def load(ctx: Ctx) -> tuple[dict[str, Any], bool]:
    """(dashboard data, cache hit)."""
    company_id = ctx.company_id
    value, hit = ctx.app.cache.remember(
        cache_key(company_id), TTL_SECONDS, lambda: repo.dashboard(ctx.db, company_id),
        prefix=ctx.app.cache_prefix, disabled=ctx.on("cache_disabled"))
    if ctx.on("cache_counters_reset"):
        ctx.app.cache.reset_stats()
    data: dict[str, Any] = copy.deepcopy(value)
    if ctx.on("stale_dashboard_count"):
        data["stats"]["calls_total"] += 1
    if ctx.on("dashboard_chart_empty"):
        data["chart"] = [{**day, "count": 0} for day in data["chart"]]
    if ctx.on("recent_activity_empty"):
        data["recent"] = []
    return data, hit
