"""Locust side of `scripts/bench`: the gate's HTTP client (FastHttpUser) hammering one route
with no think time, like wrk; exact timings written to STAGING_GATE_BENCH_TIMINGS."""

from __future__ import annotations

import json
import os
from typing import Any

from locust import FastHttpUser, constant, events, task

ROUTE = os.environ.get("STAGING_GATE_BENCH_ROUTE", "/")
TIMINGS: list[float] = []


def keep(response_time: float, **_kwargs: Any) -> None:
    TIMINGS.append(response_time)


def write(**_kwargs: Any) -> None:
    path = os.environ.get("STAGING_GATE_BENCH_TIMINGS")
    if path and TIMINGS:
        with open(f"{path}.{os.getpid()}", "w", encoding="utf-8") as out:
            json.dump(TIMINGS, out)


events.request.add_listener(keep)  # type: ignore[no-untyped-call]
events.quitting.add_listener(write)  # type: ignore[no-untyped-call]


class Hammer(FastHttpUser):
    wait_time = constant(0)

    @task
    def route(self) -> None:
        with self.client.get(ROUTE, name=ROUTE, catch_response=True) as response:
            response.success()  # the static route may be a 404 nginx answers itself
