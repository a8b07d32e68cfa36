"""The four servers of the deployment: how each starts, how we know it is ready."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import nginx
from .paths import StatePaths
from .processes import (
    LOOPBACK,
    StartupError,
    is_alive,
    log_tail,
    pid_in_file,
    read_pid,
    spawn,
    wait_until,
    write_pid,
)
from .runtime import Runtime

PACKAGE_PARENT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Service:
    """One server process, found again through DIR/run/NAME.pid."""

    name: str
    log_name: str
    # What the process's command line must contain for a PID file to be trusted.
    marker: Callable[[StatePaths, Runtime], str]
    start: Callable[[StatePaths, Runtime], int]
    ready: Callable[[StatePaths, Runtime], bool]
    timeout: float

    def pid(self, paths: StatePaths, runtime: Runtime) -> int | None:
        return read_pid(paths.pid_file(self.name), self.marker(paths, runtime))

    def log(self, paths: StatePaths) -> Path:
        return paths.log(self.log_name)

    def launch(self, paths: StatePaths, runtime: Runtime) -> int:
        pid = self.start(paths, runtime)
        write_pid(paths.pid_file(self.name), pid)
        return pid

    def wait_ready(self, paths: StatePaths, runtime: Runtime) -> None:
        # Liveness by PID alone: right after spawn the child may not have exec'd yet, so
        # its command line does not show the marker.
        pid = pid_in_file(paths.pid_file(self.name))
        wait_until(lambda: self.ready(paths, runtime), self.timeout, self.name,
                   self.log(paths), alive=lambda: pid is not None and is_alive(pid))


# --- MariaDB ------------------------------------------------------------------------------

def _install_mariadb(paths: StatePaths) -> None:
    log = paths.log("mariadb-install.log")
    with open(log, "ab") as out:
        result = subprocess.run(
            ["mariadb-install-db", f"--datadir={paths.mariadb_data}", "--user=root",
             "--auth-root-authentication-method=normal", "--skip-test-db"],
            stdout=out, stderr=subprocess.STDOUT, check=False, timeout=120)
    if result.returncode != 0:
        raise StartupError(f"mariadb-install-db failed (exit {result.returncode})\n"
                           f"--- tail of {log} ---\n{log_tail(log)}")


def _start_mariadb(paths: StatePaths, runtime: Runtime) -> int:
    if not (paths.mariadb_data / "mysql").is_dir():
        _install_mariadb(paths)
    return spawn([
        "mariadbd", "--no-defaults", f"--datadir={paths.mariadb_data}",
        f"--socket={paths.mariadb_socket}", f"--port={runtime.mariadb_port}",
        f"--bind-address={LOOPBACK}", "--user=root", "--skip-name-resolve",
        f"--pid-file={paths.mariadb / 'mariadbd.pid'}",
        f"--log-error={paths.log('mariadb.err')}",
        "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
        # Staging data is reseedable; trade durability for a fast seed.
        "--innodb-flush-log-at-trx-commit=2",
        # Statement counts per user come from the server (P6.5 reads them), not from the app.
        "--performance-schema=ON",
        "--performance-schema-instrument=statement/%=ON",
    ], paths.log("mariadb.out"))


def _mariadb_ready(paths: StatePaths, runtime: Runtime) -> bool:
    """The server greets every new connection with a handshake packet (protocol 10)."""
    try:
        with socket.create_connection((LOOPBACK, runtime.mariadb_port), timeout=1) as sock:
            greeting = sock.recv(64)
    except OSError:
        return False
    return len(greeting) > 4 and greeting[4] == 10


MARIADB = Service(
    name="mariadb", log_name="mariadb.err",
    marker=lambda paths, _runtime: str(paths.mariadb_data),
    start=_start_mariadb, ready=_mariadb_ready, timeout=20.0)


# --- Redis --------------------------------------------------------------------------------

def _start_redis(paths: StatePaths, runtime: Runtime) -> int:
    return spawn([
        "redis-server", "--port", str(runtime.redis_port), "--bind", LOOPBACK,
        "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", str(paths.redis),
        "--logfile", str(paths.log("redis.log")),
    ], paths.log("redis.out"))


def _redis_ready(_paths: StatePaths, runtime: Runtime) -> bool:
    try:
        with socket.create_connection((LOOPBACK, runtime.redis_port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


REDIS = Service(
    name="redis", log_name="redis.log",
    # redis-server rewrites its title to "redis-server 127.0.0.1:PORT".
    marker=lambda _paths, runtime: f"{LOOPBACK}:{runtime.redis_port}",
    start=_start_redis, ready=_redis_ready, timeout=10.0)


# --- the app (uvicorn on a unix socket, standing in for PHP-FPM) ---------------------------

def _app_env(paths: StatePaths) -> dict[str, str]:
    env = dict(os.environ)
    env["REFERENCE_STATE_DIR"] = str(paths.root)
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(PACKAGE_PARENT), env.get("PYTHONPATH", "")) if part)
    return env


def _start_app(paths: StatePaths, _runtime: Runtime) -> int:
    paths.app_socket.unlink(missing_ok=True)
    return spawn([
        sys.executable, "-m", "uvicorn", "reference_target.app:create_app", "--factory",
        "--uds", str(paths.app_socket), "--no-access-log",
        # Only nginx can reach the socket, so its X-Forwarded-* headers are trusted.
        "--forwarded-allow-ips", "*", "--timeout-graceful-shutdown", "3",
    ], paths.log("app.out"), env=_app_env(paths), cwd=paths.app)


def _app_ready(paths: StatePaths, _runtime: Runtime) -> bool:
    """Any HTTP answer on the socket means the server is accepting requests."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(str(paths.app_socket))
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            return sock.recv(16).startswith(b"HTTP/1.")
    except OSError:
        return False


APP = Service(
    name="app", log_name="app.out",
    marker=lambda paths, _runtime: str(paths.app_socket),
    start=_start_app, ready=_app_ready, timeout=20.0)


# --- nginx --------------------------------------------------------------------------------

def _start_nginx(paths: StatePaths, _runtime: Runtime) -> int:
    nginx.validate(paths)
    return spawn(nginx.argv(paths), paths.log("nginx.out"))


def _nginx_ready(_paths: StatePaths, runtime: Runtime) -> bool:
    for port in (runtime.https_port, runtime.http_port):
        try:
            with socket.create_connection((LOOPBACK, port), timeout=1):
                pass
        except OSError:
            return False
    return True


NGINX = Service(
    name="nginx", log_name="nginx-error.log",
    marker=lambda paths, _runtime: str(paths.nginx_conf),
    start=_start_nginx, ready=_nginx_ready, timeout=10.0)

# Start order; stopped in reverse.
ALL: tuple[Service, ...] = (MARIADB, REDIS, APP, NGINX)
BY_NAME: dict[str, Service] = {service.name: service for service in ALL}


def bootstrap(paths: StatePaths, scale: int | None, timeout: float) -> None:
    """Create the database and user, migrate and seed (the app's artisan ``bootstrap``)."""
    argv = [sys.executable, "-m", "reference_target", "artisan", "--state-dir",
            str(paths.root), "bootstrap"]
    if scale is not None:
        argv += ["--scale", str(scale)]
    log = paths.log("bootstrap.log")
    with open(log, "ab") as out:
        try:
            result = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, check=False,
                                    timeout=timeout, env=_app_env(paths))
        except subprocess.TimeoutExpired:
            raise StartupError(f"bootstrap (migrate + seed) did not finish within "
                               f"{timeout:.0f} s\n--- tail of {log} ---\n"
                               f"{log_tail(log)}") from None
    if result.returncode != 0 or not paths.credentials_json.exists():
        raise StartupError(f"bootstrap (migrate + seed) failed (exit {result.returncode})\n"
                           f"--- tail of {log} ---\n{log_tail(log)}")
