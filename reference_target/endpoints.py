"""DIR/endpoints.json and DIR/secrets.env: what a gate profile is generated from."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from . import dialect as dialects
from .dbconfig import MONITOR_USER, monitor_password
from .paths import StatePaths
from .processes import LOOPBACK
from .runtime import DATABASE, DB_USER, SCRATCH_USER, Runtime
from .state import write_json_atomic

HOST = "localhost"


def _credentials(paths: StatePaths) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(paths.credentials_json.read_text())
    return data


def secrets(paths: StatePaths, runtime: Runtime) -> dict[str, str]:
    credentials = _credentials(paths)
    values = {
        "STAGING_DB_DSN": (f"mysql://{DB_USER}:{runtime.db_password}@{LOOPBACK}:"
                           f"{runtime.mariadb_port}/{DATABASE}"),
        "STAGING_DB_MONITOR_DSN": (f"mysql://{MONITOR_USER}:"
                                   f"{monitor_password(runtime.db_password)}@{LOOPBACK}:"
                                   f"{runtime.mariadb_port}/performance_schema"),
        "STAGING_REDIS_URL": f"redis://{LOOPBACK}:{runtime.redis_port}/0",
    }
    if not dialects.get(runtime.dialect).app_user_creates_scratch:
        # The app user may not create databases; backups restore as this user.
        values["STAGING_SCRATCH_DB_DSN"] = (
            f"mysql://{SCRATCH_USER}:{runtime.scratch_password}@{LOOPBACK}:"
            f"{runtime.mariadb_port}/{DATABASE}")
    for tenant in credentials["tenants"]:
        prefix = str(tenant["key"]).upper()
        values[f"{prefix}_EMAIL"] = str(tenant["email"])
        values[f"{prefix}_PASSWORD"] = str(tenant["password"])
    values["ADMIN_EMAIL"] = str(credentials["admin"]["email"])
    values["ADMIN_PASSWORD"] = str(credentials["admin"]["password"])
    return values


def build(paths: StatePaths, runtime: Runtime) -> dict[str, Any]:
    tenants = [
        {"key": str(tenant["key"]), "company": str(tenant["company"]),
         "company_id": int(tenant["company_id"]),
         "email_env": f"{str(tenant['key']).upper()}_EMAIL",
         "password_env": f"{str(tenant['key']).upper()}_PASSWORD"}
        for tenant in _credentials(paths)["tenants"]
    ]
    return {
        "state_dir": str(paths.root),
        "dialect": runtime.dialect,
        "host": HOST,
        "base_url": f"https://{HOST}:{runtime.https_port}",
        "http_url": f"http://{HOST}:{runtime.http_port}",
        "ca_bundle": str(paths.ca_cert),
        "db": {"host": LOOPBACK, "port": runtime.mariadb_port, "database": DATABASE,
               "user": DB_USER, "socket": str(paths.mariadb_socket)},
        "redis": {"host": LOOPBACK, "port": runtime.redis_port},
        "env_file": str(paths.env_file),
        "log_file": str(paths.laravel_log),
        "python": sys.executable,
        "secrets": secrets(paths, runtime),
        "tenants": tenants,
    }


def _single_quoted(value: str) -> str:
    """Shell single quotes, always (``export NAME='value'``)."""
    return "'" + value.replace("'", "'\"'\"'") + "'"


def write(paths: StatePaths, runtime: Runtime) -> dict[str, Any]:
    """Write endpoints.json and secrets.env (both readable by the owner only)."""
    endpoints = build(paths, runtime)
    write_json_atomic(paths.endpoints_json, endpoints, mode=0o600)
    lines = [f"export {name}={_single_quoted(value)}" for name, value in
             endpoints["secrets"].items()]
    tmp = paths.secrets_env.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    tmp.replace(paths.secrets_env)
    return endpoints


def remove(paths: StatePaths) -> None:
    paths.endpoints_json.unlink(missing_ok=True)
    paths.secrets_env.unlink(missing_ok=True)
