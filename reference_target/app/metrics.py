"""Per-request bookkeeping shared between the middleware and the worker thread."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class RequestMetrics:
    queries: int = 0
    user_id: int | None = None
    extra_log: list[str] = field(default_factory=list)


_CURRENT: ContextVar[RequestMetrics | None] = ContextVar("request_metrics", default=None)


def begin() -> RequestMetrics:
    metrics = RequestMetrics()
    _CURRENT.set(metrics)
    return metrics


def current() -> RequestMetrics:
    metrics = _CURRENT.get()
    if metrics is None:
        metrics = begin()
    return metrics
