"""Connections to the target's database and cache, with errors that name the unreachable part."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import pymysql
import pymysql.cursors
import redis

from staging_gate.errors import ConfigError


class TargetUnreachable(Exception):
    """A part of the target (database, cache, web server) did not answer."""


@dataclass(frozen=True)
class MysqlDsn:
    host: str
    port: int
    user: str
    password: str
    database: str

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def parse_mysql_dsn(dsn: str, env_var: str = "the DSN") -> MysqlDsn:
    parts = urlsplit(dsn)
    if parts.scheme not in ("mysql", "mariadb") or not parts.hostname or not parts.path.strip("/"):
        raise ConfigError(
            f"{env_var} must look like mysql://user:password@host:3306/database (got scheme "
            f"{parts.scheme or 'none'!r})"
        )
    return MysqlDsn(
        host=parts.hostname,
        port=parts.port or 3306,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        database=parts.path.strip("/"),
    )


def connect_db(dsn: MysqlDsn, timeout: float = 5.0) -> pymysql.connections.Connection[
    pymysql.cursors.DictCursor
]:
    try:
        return pymysql.connect(
            host=dsn.host,
            port=dsn.port,
            user=dsn.user,
            password=dsn.password,
            database=dsn.database,
            connect_timeout=timeout,
            read_timeout=max(timeout, 30.0),
            write_timeout=max(timeout, 30.0),
            autocommit=True,
            charset="utf8mb4",
            cursorclass=pymysql.cursors.DictCursor,
        )
    except pymysql.err.OperationalError as error:
        raise TargetUnreachable(
            f"database unreachable at {dsn.address} (database {dsn.database}): {error.args[-1]}"
        ) from None


def connect_cache(url: str, timeout: float = 5.0) -> redis.Redis:
    parts = urlsplit(url)
    address = f"{parts.hostname}:{parts.port or 6379}"
    client = redis.Redis.from_url(
        url, socket_connect_timeout=timeout, socket_timeout=timeout, decode_responses=True
    )
    try:
        client.ping()
    except redis.RedisError as error:
        raise TargetUnreachable(f"Redis unreachable at {address}: {error}") from None
    return client


class DatabaseHandle:
    """A lazily opened connection that is replaced (not revived) when it has dropped."""

    def __init__(self, dsn: MysqlDsn, timeout: float) -> None:
        self.dsn = dsn
        self.timeout = timeout
        self._connection: pymysql.connections.Connection[pymysql.cursors.DictCursor] | None = None

    def connection(self) -> pymysql.connections.Connection[pymysql.cursors.DictCursor]:
        if self._connection is not None:
            try:
                self._connection.ping()
                return self._connection
            except pymysql.MySQLError:
                self.close()
        self._connection = connect_db(self.dsn, self.timeout)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(pymysql.MySQLError):
                self._connection.close()
            self._connection = None
