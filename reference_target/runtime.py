"""DIR/runtime.json: ports and names chosen once per state folder, read by every part."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from .paths import StatePaths
from .processes import LOOPBACK, free_ports
from .state import write_json_atomic

DATABASE = "askproai_staging"
DB_USER = "askproai_user"
SCRATCH_USER = "askproai_backup"


@dataclass(frozen=True)
class Runtime:
    mariadb_port: int
    redis_port: int
    https_port: int
    http_port: int
    db_password: str
    dialect: str = "reference"
    scratch_password: str = ""

    def to_json(self, paths: StatePaths) -> dict[str, Any]:
        return {
            "mariadb": {"host": LOOPBACK, "port": self.mariadb_port,
                        "socket": str(paths.mariadb_socket), "root_user": "root"},
            "redis": {"host": LOOPBACK, "port": self.redis_port},
            "database": DATABASE,
            "db_user": DB_USER,
            "db_password": self.db_password,
            "https_port": self.https_port,
            "http_port": self.http_port,
            "app_socket": str(paths.app_socket),
            "state_dir": str(paths.root),
            "dialect": self.dialect,
            "scratch_user": SCRATCH_USER,
            "scratch_password": self.scratch_password,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Runtime:
        return cls(mariadb_port=int(data["mariadb"]["port"]),
                   redis_port=int(data["redis"]["port"]),
                   https_port=int(data["https_port"]), http_port=int(data["http_port"]),
                   db_password=str(data["db_password"]),
                   dialect=str(data.get("dialect", "reference")),
                   scratch_password=str(data.get("scratch_password", "")))


def load(paths: StatePaths) -> Runtime | None:
    try:
        return Runtime.from_json(json.loads(paths.runtime_json.read_text()))
    except FileNotFoundError:
        return None


class DialectMismatch(ValueError):
    """``up --dialect`` names another dialect than the one the folder was built with."""


def load_or_create(paths: StatePaths, dialect: str | None = None) -> Runtime:
    """Reuse the folder's ports, password and dialect; pick fresh ones for a new folder.

    ``dialect`` None means: the folder's own (``reference`` for a new folder).
    """
    existing = load(paths)
    if existing is not None:
        if dialect is not None and dialect != existing.dialect:
            raise DialectMismatch(
                f"{paths.root} holds a {existing.dialect} deployment, not {dialect}; "
                "use another --state-dir (or `down` and delete this one)")
        return existing
    mariadb, redis, https, http = free_ports(4)
    runtime = Runtime(mariadb_port=mariadb, redis_port=redis, https_port=https,
                      http_port=http, db_password=secrets.token_hex(16),
                      dialect=dialect or "reference", scratch_password=secrets.token_hex(16))
    write_json_atomic(paths.runtime_json, runtime.to_json(paths), mode=0o600)
    return runtime
