"""Runtime settings of one state folder and connections to its MariaDB and Redis.

``DIR/runtime.json`` is written by the orchestrator; ``DIR/app/.env.staging`` by
``artisan bootstrap``. Shared by the app, ``artisan``, ``flags`` and ``db_defects``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import pymysql

from reference_target import dialect as dialects
from reference_target import envfile

STAGING_DATABASE = "askproai_staging"
PRODUCTION_DATABASE = "askproai_db"
STASH_DATABASE = "reference_target_stash"
CONNECT_TIMEOUT = 2
# A read-only monitoring account for the gate: SELECT on performance_schema, nothing else.
MONITOR_USER = "staging_gate_monitor"

if TYPE_CHECKING:
    DbConnection: TypeAlias = pymysql.Connection[Any]
else:
    DbConnection = pymysql.Connection


@dataclass(frozen=True)
class Runtime:
    """What the orchestrator tells the app and the tools about one deployment."""

    state_dir: Path
    db_host: str
    db_port: int
    db_socket: str
    root_user: str
    database: str
    db_user: str
    db_password: str
    redis_host: str
    redis_port: int
    https_port: int
    http_port: int
    dialect_name: str = dialects.REFERENCE
    scratch_user: str = ""
    scratch_password: str = ""

    @property
    def dialect(self) -> dialects.Dialect:
        return dialects.get(self.dialect_name)

    @property
    def env_file(self) -> Path:
        return env_file_path(self.state_dir)

    @property
    def credentials_file(self) -> Path:
        return self.state_dir / "app" / "credentials.json"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "app" / "storage" / "logs" / "laravel.log"


def monitor_password(db_password: str) -> str:
    """The monitoring account's password, derived from the folder's random DB password."""
    return hashlib.sha256(f"monitor:{db_password}".encode()).hexdigest()[:32]


def env_file_path(state_dir: Path) -> Path:
    return state_dir / "app" / ".env.staging"


def load_runtime(state_dir: Path) -> Runtime:
    raw: dict[str, Any] = json.loads((state_dir / "runtime.json").read_text())
    mariadb: dict[str, Any] = raw["mariadb"]
    redis_cfg: dict[str, Any] = raw["redis"]
    return Runtime(
        state_dir=state_dir,
        db_host=str(mariadb.get("host", "127.0.0.1")),
        db_port=int(mariadb["port"]),
        db_socket=str(mariadb.get("socket", "")),
        root_user=str(mariadb.get("root_user", "root")),
        database=str(raw.get("database", STAGING_DATABASE)),
        db_user=str(raw.get("db_user", "askproai_user")),
        db_password=str(raw["db_password"]),
        redis_host=str(redis_cfg.get("host", "127.0.0.1")),
        redis_port=int(redis_cfg["port"]),
        https_port=int(raw.get("https_port", 0)),
        http_port=int(raw.get("http_port", 0)),
        dialect_name=str(raw.get("dialect", dialects.REFERENCE)),
        scratch_user=str(raw.get("scratch_user", "")),
        scratch_password=str(raw.get("scratch_password", "")),
    )


def app_database(runtime: Runtime) -> str:
    """The database the app uses: DB_DATABASE from the env file, else runtime.json's."""
    values = envfile.read(runtime.env_file)
    return values.get("DB_DATABASE") or runtime.database


def connect_app(runtime: Runtime, database: str | None = None) -> DbConnection:
    """A connection as the application user over TCP (autocommit)."""
    return pymysql.connect(
        host=runtime.db_host,
        port=runtime.db_port,
        user=runtime.db_user,
        password=runtime.db_password,
        database=database or app_database(runtime),
        charset="utf8mb4",
        autocommit=True,
        connect_timeout=CONNECT_TIMEOUT,
        ssl_disabled=True,  # loopback only; pymysql 2 would otherwise try TLS each time
        read_timeout=30,
        write_timeout=30,
    )


def connect_root(runtime: Runtime, database: str | None = None) -> DbConnection:
    """A connection as MariaDB root over the unix socket (autocommit)."""
    return pymysql.connect(
        unix_socket=runtime.db_socket,
        user=runtime.root_user,
        password="",
        database=database,
        charset="utf8mb4",
        autocommit=True,
        connect_timeout=CONNECT_TIMEOUT,
        ssl_disabled=True,
    )
