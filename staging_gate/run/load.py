"""Run the phase-6 load test: the ``locust`` CLI in a subprocess, bounded in time, against the
profile's base URL only; its files are read back into typed results.

Locust runs on gevent, which does not mix with pytest-xdist in one process, hence the
subprocess. The locustfile (``locustfiles/portal.py``) learns everything from environment
variables named here: host-independent routes, the login form, credentials, CA bundle,
budgets, and the files its master writes: exact timings of every process (merged) and each
process's CPU samples.

Distributed load (Locust's own engine): ``budgets.load.processes`` > 1 runs
``locust --processes N`` here (one master, N worker processes); ``budgets.load.workers`` > 0
makes this run a master that waits for that many external workers, each started on another
machine with `worker_command` (``staging-gate load-worker``).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from staging_gate import resources
from staging_gate.errors import CouldNotVerify
from staging_gate.probes.load_generator import (
    GeneratorCpu,
    Saturation,
    read_generators,
    saturation,
)
from staging_gate.probes.performance import (
    BudgetRule,
    RequestStats,
    parse_failures_csv,
    parse_stats_csv,
    read_timings,
    with_errors,
    with_exact_p95,
)
from staging_gate.profile import Profile

LOCUSTFILE = resources.locustfile("portal.py")
# Locust needs a few seconds beyond --run-time to spawn, stop users and write its reports.
GRACE_SECONDS = 30
STOP_TIMEOUT_SECONDS = 3

ENV_ROUTES = "STAGING_GATE_ROUTES"
ENV_CA_BUNDLE = "STAGING_GATE_CA_BUNDLE"
ENV_TENANT_EMAIL = "STAGING_GATE_TENANT_EMAIL"
ENV_TENANT_PASSWORD = "STAGING_GATE_TENANT_PASSWORD"
ENV_ADMIN_EMAIL = "STAGING_GATE_ADMIN_EMAIL"
ENV_ADMIN_PASSWORD = "STAGING_GATE_ADMIN_PASSWORD"
ENV_BUDGETS = "STAGING_GATE_BUDGETS"
ENV_TIMINGS_FILE = "STAGING_GATE_TIMINGS_FILE"
ENV_GENERATORS_FILE = "STAGING_GATE_GENERATORS_FILE"
ENV_LOGIN_FORM = "STAGING_GATE_LOGIN_FORM"


class LoadRunFailed(Exception):
    """Locust did not produce a usable result; the message says why and where its log is."""


@dataclass(frozen=True)
class LoadFiles:
    workdir: Path

    @property
    def csv_prefix(self) -> Path:
        return self.workdir / "locust"

    @property
    def stats_csv(self) -> Path:
        return self.workdir / "locust_stats.csv"

    @property
    def failures_csv(self) -> Path:
        return self.workdir / "locust_failures.csv"

    @property
    def json_prefix(self) -> Path:
        return self.workdir / "locust"

    @property
    def json(self) -> Path:
        return self.workdir / "locust.json"

    @property
    def html(self) -> Path:
        return self.workdir / "locust.html"

    @property
    def timings(self) -> Path:
        return self.workdir / "timings.json"

    @property
    def generators(self) -> Path:
        return self.workdir / "generators.json"

    @property
    def log(self) -> Path:
        return self.workdir / "locust.log"


@dataclass(frozen=True)
class LoadResult:
    stats: tuple[RequestStats, ...]
    rules: tuple[BudgetRule, ...]
    files: LoadFiles
    exit_code: int
    command: tuple[str, ...]
    generators: tuple[GeneratorCpu, ...] = ()
    saturated: Saturation | None = None


def budget_rules(profile: Profile) -> tuple[BudgetRule, ...]:
    budgets, routes = profile.budgets, profile.routes
    api_paths = routes.portal_api_paths or ("/api/",)
    return (
        BudgetRule("homepage", budgets.homepage_p95_ms, (routes.home,)),
        BudgetRule("admin_dashboard", budgets.admin_dashboard_p95_ms, (routes.admin,)),
        BudgetRule("portal_dashboard", budgets.portal_dashboard_p95_ms, (routes.portal,)),
        BudgetRule("api", budgets.api_p95_ms, tuple(api_paths), subpaths=True),
    )


def locust_command(profile: Profile, files: LoadFiles) -> list[str]:
    shape = profile.budgets.load
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--host", profile.target.base_url,
        "--users", str(shape.users), "--spawn-rate", str(shape.spawn_rate),
        "--run-time", f"{shape.duration_seconds}s", "--stop-timeout", str(STOP_TIMEOUT_SECONDS),
        "--csv", str(files.csv_prefix), "--json-file", str(files.json_prefix),
        "--html", str(files.html), "--only-summary", "--loglevel", "WARNING",
    ]
    if shape.workers:
        command += ["--master", "--expect-workers", str(shape.workers),
                    "--expect-workers-max-wait", str(shape.workers_wait_seconds),
                    "--master-bind-host", shape.master_bind_host,
                    "--master-bind-port", str(shape.master_port)]
    elif shape.processes > 1:
        command += ["--processes", str(shape.processes)]
    return command


def worker_command(profile: Profile, master_host: str, processes: int = 1) -> list[str]:
    """An external worker for this profile's load run (inputs from `locust_env`): Locust's
    ``--worker``, connecting to the gate's master at `master_host`."""
    shape = profile.budgets.load
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--worker",
               "--master-host", master_host, "--master-port", str(shape.master_port),
               "--loglevel", "WARNING"]
    if processes > 1:
        command += ["--processes", str(processes)]
    return command


def locust_env(profile: Profile, files: LoadFiles, rules: tuple[BudgetRule, ...]) -> dict[str, str]:
    """The locustfile's inputs; secrets resolved here so a missing one is a ConfigError."""
    routes = profile.routes
    env = {
        ENV_LOGIN_FORM: json.dumps(routes.login_form.model_dump()),
        ENV_ROUTES: json.dumps({
            "home": routes.home, "portal": routes.portal, "portal_login": routes.portal_login,
            "calls": routes.calls, "appointments": routes.appointments, "admin": routes.admin,
            "admin_login": routes.admin_login, "api": list(routes.portal_api_paths),
        }),
        ENV_CA_BUNDLE: profile.target.ca_bundle or "",
        ENV_BUDGETS: json.dumps({"rules": [r.to_json() for r in rules],
                                 "max_failure_ratio": profile.budgets.max_failure_ratio}),
        ENV_TIMINGS_FILE: str(files.timings),
        ENV_GENERATORS_FILE: str(files.generators),
    }
    if profile.tenants:
        tenant = profile.tenants[0]
        env[ENV_TENANT_EMAIL] = profile.secret(tenant.email_env)
        env[ENV_TENANT_PASSWORD] = profile.secret(tenant.password_env)
    if profile.admin is not None:
        env[ENV_ADMIN_EMAIL] = profile.secret(profile.admin.email_env)
        env[ENV_ADMIN_PASSWORD] = profile.secret(profile.admin.password_env)
    return env


def form_value(html: str, field: str) -> str:
    """The value of the input named `field` in a page (a login form's CSRF token, Laravel's
    ``_token``), whichever attribute comes first; '' when there is none."""
    name = re.escape(field)
    for pattern in (rf'name="{name}"[^>]*?\svalue="([^"]*)"',
                    rf'value="([^"]*)"[^>]*?\sname="{name}"'):
        match = re.search(pattern, html)
        if match:
            return match.group(1)
    return ""


def _run_bounded(command: list[str], env: dict[str, str], log: Path, timeout: float) -> int:
    """Run in its own process group so a hung Locust (and its greenlets) is killed whole."""
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, **env}, start_new_session=True)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise LoadRunFailed(f"locust did not finish within {timeout:.0f} s; "
                                f"killed (log: {log})") from None


def run(profile: Profile, workdir: Path) -> LoadResult:
    """Load the target at `profile.target.base_url` for the profile's load shape; read results.

    Exit code 1 is Locust's "budgets missed" (set by the locustfile's quitting listener);
    anything else without a stats file means Locust itself failed.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    files = LoadFiles(workdir)
    rules = budget_rules(profile)
    command = locust_command(profile, files)
    shape = profile.budgets.load
    timeout = shape.duration_seconds + GRACE_SECONDS
    if shape.workers:
        timeout += shape.workers_wait_seconds
    exit_code = _run_bounded(command, locust_env(profile, files, rules), files.log, timeout)
    log = files.log.read_text(encoding="utf-8", errors="replace")
    if shape.workers and "Gave up waiting for workers" in log:
        raise CouldNotVerify(
            f"the {shape.workers} external load worker(s) did not all connect within "
            f"{shape.workers_wait_seconds} s",
            f"start them with `staging-gate load-worker --profile ... --master-host <this "
            f"machine>` (port {shape.master_port}) or set budgets.load.workers = 0")
    if exit_code not in (0, 1) or not files.stats_csv.is_file():
        raise LoadRunFailed(f"locust exited with {exit_code} (log {files.log}): {log[-1500:]}")
    stats = with_exact_p95(parse_stats_csv(files.stats_csv.read_text(encoding="utf-8")),
                           read_timings(files.timings))
    if files.failures_csv.is_file():
        errors = parse_failures_csv(files.failures_csv.read_text(encoding="utf-8"))
        stats = with_errors(stats, errors)
    generators = tuple(read_generators(files.generators))
    return LoadResult(tuple(stats), rules, files, exit_code, tuple(command), generators,
                      saturation(generators, shape.max_generator_cpu_percent, log))
