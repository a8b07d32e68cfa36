"""``up``, ``down`` and ``status``: the whole deployment as one unit."""

from __future__ import annotations

import http.client
import json
import os
import ssl
import time
from dataclasses import dataclass
from typing import Any

from . import endpoints, nginx, services, state, tls
from . import runtime as runtime_file
from .paths import StatePaths
from .processes import (
    StartupError,
    cmdline,
    is_alive,
    log_tail,
    parent,
    port_accepts,
    port_is_free,
    processes_mentioning,
    stop_all,
)
from .runtime import Runtime
from .services import APP, MARIADB, NGINX, REDIS, Service

# Process-layer defects: which server each one stops.
PROCESS_DEFECTS: dict[str, Service] = {"app_down": APP, "db_down": MARIADB, "redis_down": REDIS}
HEALTH_TIMEOUT = 20.0
BASE_BOOTSTRAP_TIMEOUT = 120.0
# What a stray process of ours looks like, should its PID file be gone.
_SERVER_MARKERS = ("mariadbd", "redis-server", "nginx: master", "uvicorn")


@dataclass(frozen=True)
class UpResult:
    endpoints: dict[str, Any]
    seconds: float
    already_up: bool


def _ports(runtime: Runtime) -> dict[str, tuple[int, ...]]:
    return {"mariadb": (runtime.mariadb_port,), "redis": (runtime.redis_port,),
            "app": (), "nginx": (runtime.https_port, runtime.http_port)}


def require_runtime(paths: StatePaths) -> Runtime:
    found = runtime_file.load(paths)
    if found is None:
        raise StartupError(f"{paths.root} holds no deployment; run "
                           f"`python -m reference_target up --state-dir {paths.root}` first")
    return found


# --- health over HTTPS, the way a client sees it -------------------------------------------

def _tls_context(paths: StatePaths, active: set[str]) -> ssl.SSLContext:
    if active & set(tls.TLS_DEFECTS):
        # A certificate defect is on: verification would fail by design.
        return ssl._create_unverified_context()
    return ssl.create_default_context(cafile=str(paths.ca_cert))


def health_status(paths: StatePaths, runtime: Runtime, active: set[str]) -> int | None:
    """HTTP status of https://localhost:PORT/health, or None when it cannot be fetched."""
    conn = http.client.HTTPSConnection("localhost", runtime.https_port, timeout=3,
                                       context=_tls_context(paths, active))
    try:
        conn.request("GET", "/health")
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def wait_healthy(paths: StatePaths, runtime: Runtime, active: set[str],
                 timeout: float = HEALTH_TIMEOUT) -> None:
    """Wait for /health 200; with defects on, any answer from the app itself will do."""
    def answered() -> bool:
        status = health_status(paths, runtime, active)
        if not active:
            return status == 200
        return status is not None and status not in (502, 504)

    deadline = time.monotonic() + timeout
    while not answered():
        if time.monotonic() >= deadline:
            status = health_status(paths, runtime, active)
            raise StartupError(
                f"https://localhost:{runtime.https_port}/health answered {status} "
                f"instead of 200 within {timeout:.0f} s\n"
                f"--- tail of {APP.log(paths)} ---\n{log_tail(APP.log(paths))}\n"
                f"--- tail of {NGINX.log(paths)} ---\n{log_tail(NGINX.log(paths))}")
        time.sleep(0.1)


# --- up -----------------------------------------------------------------------------------

def _check_ports_free(paths: StatePaths, runtime: Runtime, missing: list[Service]) -> None:
    for service in missing:
        for port in _ports(runtime)[service.name]:
            if not port_is_free(port):
                raise StartupError(
                    f"port {port} for {service.name} is taken by another process; stop it, "
                    f"or run `down` and delete {paths.root} to start on fresh ports")


def _bootstrap_timeout(scale: int | None) -> float:
    return BASE_BOOTSTRAP_TIMEOUT + 10.0 * (scale or 0)


def _start_missing(paths: StatePaths, runtime: Runtime, scale: int | None,
                   active: set[str]) -> None:
    missing = [service for service in services.ALL if service.pid(paths, runtime) is None]
    _check_ports_free(paths, runtime, missing)
    if NGINX in missing:
        nginx.write_config(paths, runtime, active)
    # Servers that need nothing from each other start together; the app needs a seeded DB.
    for service in (MARIADB, REDIS, NGINX):
        if service in missing:
            service.launch(paths, runtime)
    MARIADB.wait_ready(paths, runtime)
    REDIS.wait_ready(paths, runtime)
    if not paths.credentials_json.exists():
        services.bootstrap(paths, scale, _bootstrap_timeout(scale))
    if APP in missing:
        APP.launch(paths, runtime)
    APP.wait_ready(paths, runtime)
    NGINX.wait_ready(paths, runtime)
    wait_healthy(paths, runtime, active)


def _all_running(paths: StatePaths, runtime: Runtime) -> bool:
    return all(service.pid(paths, runtime) is not None for service in services.ALL)


def up(paths: StatePaths, scale: int | None = None, dialect: str | None = None) -> UpResult:
    """Start whatever is not running, wait until /health answers, write endpoints.json.

    On failure everything is stopped again (logs stay in DIR/logs) and StartupError says
    which part did not come up. ``dialect`` (see dialect.py) is fixed when the folder is
    first used; None keeps the folder's own.
    """
    problem = paths.socket_path_problem()
    if problem:
        raise StartupError(problem)
    started = time.monotonic()
    paths.create()
    try:
        runtime = runtime_file.load_or_create(paths, dialect)
    except runtime_file.DialectMismatch as error:
        raise StartupError(str(error)) from None
    if _all_running(paths, runtime) and paths.endpoints_json.exists():
        return UpResult(json.loads(paths.endpoints_json.read_text()),
                        time.monotonic() - started, already_up=True)
    tls.ensure_ca(paths)
    # Every server runs after `up`, so no process-layer defect can still be on.
    remaining = [name for name in state.active_defects(paths) if name not in PROCESS_DEFECTS]
    state.save_defects(paths, remaining)
    try:
        _start_missing(paths, runtime, scale, set(remaining))
        result = endpoints.write(paths, runtime)
    except BaseException as error:
        down(paths)
        if isinstance(error, StartupError):
            raise StartupError(f"{error}\n(everything was stopped again; logs are in "
                               f"{paths.logs})") from None
        raise
    return UpResult(result, time.monotonic() - started, already_up=False)


# --- down ---------------------------------------------------------------------------------

def _ancestors() -> set[int]:
    """This process and its parents: a shell running `down` must never count as a stray."""
    found: set[int] = set()
    pid: int | None = os.getpid()
    while pid is not None and pid > 1:
        found.add(pid)
        pid = parent(pid)
    return found


def _strays(paths: StatePaths, runtime: Runtime | None) -> list[int]:
    """Our servers whose PID file went missing (e.g. an interrupted ``up``)."""
    if runtime is None:
        return []  # runtime.json is written before anything starts
    found = {pid for service in services.ALL
             for pid in processes_mentioning(service.marker(paths, runtime))}
    mine = _ancestors()
    return [pid for pid in found - mine
            if any(marker in cmdline(pid) for marker in _SERVER_MARKERS)]


def stop_service(paths: StatePaths, runtime: Runtime, service: Service) -> None:
    pid = service.pid(paths, runtime)
    if pid is not None:
        stop_all([pid])
    paths.pid_file(service.name).unlink(missing_ok=True)
    if service is APP:
        paths.app_socket.unlink(missing_ok=True)
    _wait_ports_closed(_ports(runtime)[service.name])


def _wait_ports_closed(ports: tuple[int, ...], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while any(port_accepts(port) for port in ports) and time.monotonic() < deadline:
        time.sleep(0.05)


def down(paths: StatePaths) -> list[str]:
    """Stop every server of the state folder by PID; return the names that were running."""
    runtime = runtime_file.load(paths)
    running: dict[str, int] = {}
    if runtime is not None:
        for service in reversed(services.ALL):
            pid = service.pid(paths, runtime)
            if pid is not None:
                running[service.name] = pid
    stop_all([*running.values(), *_strays(paths, runtime)], timeout=15.0)
    for service in services.ALL:
        paths.pid_file(service.name).unlink(missing_ok=True)
    paths.app_socket.unlink(missing_ok=True)
    endpoints.remove(paths)
    if runtime is not None:
        _wait_ports_closed(tuple(port for ports in _ports(runtime).values() for port in ports))
    return list(running)


# --- status -------------------------------------------------------------------------------

def status(paths: StatePaths) -> dict[str, Any]:
    runtime = runtime_file.load(paths)
    processes: dict[str, Any] = {}
    if runtime is not None:
        for service in services.ALL:
            pid = service.pid(paths, runtime)
            processes[service.name] = {
                "running": pid is not None and is_alive(pid), "pid": pid,
                "ports": list(_ports(runtime)[service.name]),
                "log": str(service.log(paths)),
            }
    defects = state.active_defects(paths)
    return {
        "state_dir": str(paths.root),
        "up": bool(processes) and all(entry["running"] for entry in processes.values()),
        "processes": processes,
        "app_socket": str(paths.app_socket),
        "defects": defects,
    }
