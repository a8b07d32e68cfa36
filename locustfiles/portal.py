"""Phase 6 load: a day on the AskPro portal, run by `staging_gate.load` as ``locust -f``.

Personas: an anonymous visitor reading the homepage, a tenant user working in the portal
(dashboard, calls, appointments, the portal API) and an admin checking the admin dashboard.
Everything target-specific comes from environment variables the gate sets (see
`staging_gate.load`); the host is Locust's ``--host``. Budgets are judged once, at the end,
by `staging_gate.probes.performance.judge_all`, on exact timings kept by a request hook.
"""

from __future__ import annotations

import json
import os
import random
import re
from collections import defaultdict
from typing import Any

from locust import HttpUser, between, events, task
from locust.env import Environment

from staging_gate import load
from staging_gate.probes.performance import (
    BudgetRule,
    RequestStats,
    judge_all,
    timing_key,
    with_exact_p95,
)

ROUTES: dict[str, Any] = json.loads(os.environ.get(load.ENV_ROUTES, "{}") or "{}")
CA_BUNDLE = os.environ.get(load.ENV_CA_BUNDLE, "")
TOKEN = re.compile(r'name="_token"\s+value="([^"]+)"')
TIMINGS: defaultdict[str, list[float]] = defaultdict(list)


def keep_exact_timing(request_type: str, name: str, response_time: float,
                      **_kwargs: Any) -> None:
    TIMINGS[timing_key(request_type, name)].append(round(response_time, 2))


def judge_budgets(environment: Environment, **_kwargs: Any) -> None:
    """Write the exact timings, judge every budget, and make a missed budget exit code 1."""
    timings_file = os.environ.get(load.ENV_TIMINGS_FILE)
    if timings_file:
        with open(timings_file, "w", encoding="utf-8") as out:
            json.dump(TIMINGS, out)
    config = json.loads(os.environ.get(load.ENV_BUDGETS, "{}") or "{}")
    rules = [BudgetRule.from_json(rule) for rule in config.get("rules", [])]
    stats = with_exact_p95(
        [RequestStats(e.method or "", e.name, e.num_requests, e.num_failures,
                      e.get_response_time_percentile(0.95) or 0.0)
         for e in environment.stats.entries.values()],
        TIMINGS,
    )
    problems = [p for found in judge_all(stats, rules, config.get("max_failure_ratio", 0.01))
                .values() for p in found]
    for problem in problems:
        print(f"BUDGET MISSED: {problem}", flush=True)
    if problems:
        environment.process_exit_code = 1


events.request.add_listener(keep_exact_timing)  # type: ignore[no-untyped-call]  # locust API
events.quitting.add_listener(judge_budgets)  # type: ignore[no-untyped-call]  # locust API


class GateUser(HttpUser):
    abstract = True
    wait_time = between(0.3, 1.0)

    def on_start(self) -> None:
        if CA_BUNDLE:
            self.client.verify = CA_BUNDLE

    def log_in(self, login_path: str, email_env: str, password_env: str) -> None:
        """Laravel-style: the form's CSRF ``_token``, then a POST that must redirect away."""
        form = self.client.get(login_path, name=login_path)
        match = TOKEN.search(form.text)
        data = {"_token": match.group(1) if match else "", "email": os.environ.get(email_env, ""),
                "password": os.environ.get(password_env, "")}
        with self.client.post(login_path, data=data, name=login_path, allow_redirects=False,
                              catch_response=True) as response:
            location = response.headers.get("location", "")
            if response.status_code not in (302, 303) or location.rstrip("/").endswith(
                    login_path.rstrip("/")):
                response.failure(f"login answered {response.status_code} → {location or '-'}")


class AnonymousVisitor(GateUser):
    weight = 1

    @task
    def homepage(self) -> None:
        self.client.get(ROUTES.get("home", "/"), name=ROUTES.get("home", "/"))


class TenantUser(GateUser):
    weight = 3

    def on_start(self) -> None:
        super().on_start()
        self.records: list[tuple[str, int]] = []
        self.log_in(ROUTES["portal_login"], load.ENV_TENANT_EMAIL, load.ENV_TENANT_PASSWORD)

    @task(3)
    def dashboard(self) -> None:
        self.client.get(ROUTES["portal"], name=ROUTES["portal"])

    @task(2)
    def calls(self) -> None:
        self.client.get(f"{ROUTES['calls']}?page={random.randint(1, 3)}", name=ROUTES["calls"])

    @task(2)
    def appointments(self) -> None:
        self.client.get(ROUTES["appointments"], name=ROUTES["appointments"])

    @task(4)
    def api_list(self) -> None:
        if not ROUTES.get("api"):
            return
        path = random.choice(ROUTES["api"])
        response = self.client.get(path, name=path)
        try:
            data = response.json().get("data")
        except (ValueError, AttributeError):
            return
        if isinstance(data, list):
            self.records += [(path, int(row["id"])) for row in data[:5]
                             if isinstance(row, dict) and "id" in row]
            self.records = self.records[-50:]

    @task(2)
    def api_detail(self) -> None:
        if self.records:
            path, record_id = random.choice(self.records)
            self.client.get(f"{path}/{record_id}", name=f"{path}/[id]")


class AdminUser(GateUser):
    weight = 1

    def on_start(self) -> None:
        super().on_start()
        self.log_in(ROUTES["admin_login"], load.ENV_ADMIN_EMAIL, load.ENV_ADMIN_PASSWORD)

    @task
    def admin_dashboard(self) -> None:
        self.client.get(ROUTES["admin"], name=ROUTES["admin"])
