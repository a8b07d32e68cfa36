"""Phase 6 load: a day on the AskPro portal, run by `staging_gate.run.load` as ``locust -f``.

Personas: an anonymous visitor reading the homepage, a tenant user working in the portal
(dashboard, calls, appointments, the portal API) and an admin checking the admin dashboard.
Everything target-specific comes from environment variables the gate sets (see
`staging_gate.run.load`): routes, the login form's field names, credentials, CA bundle, budgets;
the host is Locust's ``--host``. Users are `FastHttpUser` (geventhttpclient): the generator
should measure the target, not its own HTTP stack.

Budgets are judged once, at the end, by `staging_gate.probes.performance.judge_all`, on exact
timings kept by a request hook. Run distributed (``--processes``, external ``--worker``s), each
process keeps its own timings and CPU samples and sends them to the master when the run ends;
the master merges them before judging and writes them for the gate.
"""

from __future__ import annotations

import json
import os
import random
import socket
import ssl
from collections import defaultdict
from typing import Any

import gevent
import gevent.ssl
import psutil
from locust import FastHttpUser, between, events, task
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from staging_gate.probes.load_generator import GeneratorCpu, merge_timings
from staging_gate.probes.performance import (
    BudgetRule,
    RequestStats,
    judge_all,
    timing_key,
    with_exact_p95,
)
from staging_gate.run import load

ROUTES: dict[str, Any] = json.loads(os.environ.get(load.ENV_ROUTES, "{}") or "{}")
LOGIN_FORM: dict[str, str] = json.loads(os.environ.get(load.ENV_LOGIN_FORM, "{}") or "{}")
CA_BUNDLE = os.environ.get(load.ENV_CA_BUNDLE, "")
TIMINGS: defaultdict[str, list[float]] = defaultdict(list)
CPU_SAMPLES: list[float] = []
SAMPLER: list[gevent.Greenlet] = []
# What the master has collected from its workers: worker id -> (timings, cpu of that worker).
FROM_WORKERS: dict[str, tuple[dict[str, list[float]], GeneratorCpu]] = {}
RESULTS_MESSAGE = "staging_gate_results"
COLLECT_MESSAGE = "staging_gate_collect"
COLLECT_TIMEOUT_SECONDS = 20.0


def keep_exact_timing(request_type: str, name: str, response_time: float,
                      **_kwargs: Any) -> None:
    TIMINGS[timing_key(request_type, name)].append(round(response_time, 2))


def _process_name(environment: Environment) -> str:
    runner = environment.runner
    role = ("worker " + str(runner.worker_index) if isinstance(runner, WorkerRunner)
            else "master" if isinstance(runner, MasterRunner) else "locust")
    return f"{role} (pid {os.getpid()} on {socket.gethostname()})"


def sample_cpu(**_kwargs: Any) -> None:
    """Once a second, this process's CPU in % of one core (Locust's own measure, finer)."""
    def sampler() -> None:
        process = psutil.Process()
        process.cpu_percent(None)
        while True:
            gevent.sleep(1.0)
            CPU_SAMPLES.append(round(process.cpu_percent(None), 1))

    if not SAMPLER:  # test_start fires again when a master re-dispatches users
        SAMPLER.append(gevent.spawn(sampler))


def _own_results(environment: Environment) -> dict[str, Any]:
    return {"timings": dict(TIMINGS),
            "cpu": GeneratorCpu(_process_name(environment), tuple(CPU_SAMPLES)).to_json()}


def on_locust_init(environment: Environment, **_kwargs: Any) -> None:
    """Wire the worker → master channel: the master asks, every worker answers once."""
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        def answer(msg: Any, **_kw: Any) -> None:
            runner.stop()  # as Locust's own "stop": no request completes after the snapshot
            runner.send_message(RESULTS_MESSAGE, _own_results(environment))
        runner.register_message(COLLECT_MESSAGE, answer)
    elif isinstance(runner, MasterRunner):
        def received(msg: Any, **_kw: Any) -> None:
            cpu = msg.data.get("cpu", {})
            FROM_WORKERS[str(msg.node_id)] = (
                msg.data.get("timings", {}),
                GeneratorCpu(str(cpu.get("process", msg.node_id)),
                             tuple(float(s) for s in cpu.get("samples", ()))),
            )
        runner.register_message(RESULTS_MESSAGE, received)


def collect_from_workers(environment: Environment, **_kwargs: Any) -> None:
    """On the master, before Locust tells its workers to quit: ask each to stop and send its
    results, and wait (bounded) until all answered; the master's listener still runs while
    we sleep."""
    runner = environment.runner
    if not isinstance(runner, MasterRunner):
        return
    expected = {str(worker.id) for worker in runner.clients.all}
    for worker_id in expected:
        runner.send_message(COLLECT_MESSAGE, {}, client_id=worker_id)
    waited = 0.0
    while not expected <= FROM_WORKERS.keys() and waited < COLLECT_TIMEOUT_SECONDS:
        gevent.sleep(0.2)
        waited += 0.2
    missing = expected - FROM_WORKERS.keys()
    if missing:
        print(f"STAGING GATE: no timings from {len(missing)} worker(s): "
              f"{', '.join(sorted(missing))}", flush=True)


def judge_budgets(environment: Environment, **_kwargs: Any) -> None:
    """Write exact timings and CPU samples (merged over all processes), judge every budget,
    and make a missed budget exit code 1. Workers leave this to the master."""
    if isinstance(environment.runner, WorkerRunner):
        return
    timings = merge_timings([TIMINGS, *(t for t, _ in FROM_WORKERS.values())])
    generators = [GeneratorCpu(_process_name(environment), tuple(CPU_SAMPLES)),
                  *(cpu for _, cpu in FROM_WORKERS.values())]
    _write(load.ENV_TIMINGS_FILE, timings)
    _write(load.ENV_GENERATORS_FILE, [g.to_json() for g in generators])
    config = json.loads(os.environ.get(load.ENV_BUDGETS, "{}") or "{}")
    rules = [BudgetRule.from_json(rule) for rule in config.get("rules", [])]
    stats = with_exact_p95(
        [RequestStats(e.method or "", e.name, e.num_requests, e.num_failures,
                      e.get_response_time_percentile(0.95) or 0.0)
         for e in environment.stats.entries.values()],
        timings,
    )
    problems = [p for found in judge_all(stats, rules, config.get("max_failure_ratio", 0.01))
                .values() for p in found]
    for problem in problems:
        print(f"BUDGET MISSED: {problem}", flush=True)
    if problems:
        environment.process_exit_code = 1


def _write(env_var: str, data: object) -> None:
    path = os.environ.get(env_var)
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(data, out)


events.init.add_listener(on_locust_init)  # type: ignore[no-untyped-call]  # locust API
events.request.add_listener(keep_exact_timing)  # type: ignore[no-untyped-call]
events.test_start.add_listener(sample_cpu)  # type: ignore[no-untyped-call]
events.test_stop.add_listener(collect_from_workers)  # type: ignore[no-untyped-call]
events.quitting.add_listener(judge_budgets)  # type: ignore[no-untyped-call]


def _ssl_context(**_kwargs: Any) -> ssl.SSLContext:
    """geventhttpclient's context factory: trust the profile's CA bundle (gevent's ssl, so
    handshakes yield to other users)."""
    context: ssl.SSLContext = gevent.ssl.create_default_context(cafile=CA_BUNDLE)
    return context


class GateUser(FastHttpUser):
    abstract = True
    wait_time = between(0.3, 1.0)
    # Verify TLS against the profile's CA bundle when it names one (FastHttpUser's default
    # is not to verify at all).
    insecure = not CA_BUNDLE
    ssl_context_factory = staticmethod(_ssl_context) if CA_BUNDLE else None

    def log_in(self, login_path: str, email_env: str, password_env: str) -> None:
        """A login form: its CSRF token (routes.login_form.token_field, when the profile names
        one), then a POST that must redirect away from the form."""
        form = LOGIN_FORM or {"email_field": "email", "password_field": "password",
                              "token_field": "_token"}
        data = {form["email_field"]: os.environ.get(email_env, ""),
                form["password_field"]: os.environ.get(password_env, "")}
        if form.get("token_field"):
            page = self.client.get(login_path, name=login_path)
            data[form["token_field"]] = load.form_value(page.text or "", form["token_field"])
        with self.client.post(login_path, data=data, name=login_path, allow_redirects=False,
                              catch_response=True) as response:
            location = response.headers.get("location", "") if response.headers else ""
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
        self.records: list[tuple[str, str]] = []
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
        except (ValueError, AttributeError, TypeError):
            return
        if isinstance(data, list):
            self.records += [(path, str(row["id"])) for row in data[:5]
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
        self.log_in(ROUTES["admin_login"], load.ENV_ADMIN_EMAIL, load.ENV_ADMIN_PASSWORD)

    @task
    def admin_dashboard(self) -> None:
        self.client.get(ROUTES["admin"], name=ROUTES["admin"])
