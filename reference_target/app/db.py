"""Per-request database access: one lazily opened connection, every query counted.

Queries are written with the reference dialect's names; the runtime's dialect maps them to
its own tables and columns (and result columns back)."""

from __future__ import annotations

import contextlib
from typing import Any

import pymysql
import pymysql.cursors

from reference_target.app import metrics
from reference_target.dbconfig import Runtime

Row = dict[str, Any]


class RequestDb:
    """Opens a connection on the first query and closes it with the request."""

    def __init__(self, runtime: Runtime, database: str) -> None:
        self._runtime = runtime
        self._database = database
        self._conn: pymysql.connections.Connection[pymysql.cursors.DictCursor] | None = None

    def _connection(self) -> pymysql.connections.Connection[pymysql.cursors.DictCursor]:
        if self._conn is None:
            rt = self._runtime
            self._conn = pymysql.connect(
                host=rt.db_host, port=rt.db_port, user=rt.db_user, password=rt.db_password,
                database=self._database, charset="utf8mb4", autocommit=True,
                connect_timeout=2, read_timeout=20, write_timeout=20, ssl_disabled=True,
                init_command="SET SESSION max_statement_time = 15",
                cursorclass=pymysql.cursors.DictCursor)
        return self._conn

    def all(self, sql: str, args: tuple[Any, ...] | None = None) -> list[Row]:
        conn = self._connection()
        metrics.current().queries += 1
        names = self._runtime.dialect.names
        with conn.cursor() as cur:
            cur.execute(names.sql(sql), args)
            return [names.row(row) for row in cur.fetchall()]

    def first(self, sql: str, args: tuple[Any, ...] | None = None) -> Row | None:
        rows = self.all(sql, args)
        return rows[0] if rows else None

    def scalar(self, sql: str, args: tuple[Any, ...] | None = None) -> Any:
        row = self.first(sql, args)
        return next(iter(row.values())) if row else None

    def execute(self, sql: str, args: tuple[Any, ...] | None = None) -> int:
        conn = self._connection()
        metrics.current().queries += 1
        with conn.cursor() as cur:
            return int(cur.execute(self._runtime.dialect.names.sql(sql), args))

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(pymysql.Error):
                self._conn.close()
            self._conn = None
