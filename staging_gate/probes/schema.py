"""Phase 2 (and P1.5): read-only SQL against the staging database.

Every function takes a `Query` — ``query(sql, args) -> rows`` — so the judging logic is
pure and unit-testable; `query_runner` adapts a pymysql connection (DictCursor). Only
SELECTs against the schema and ``information_schema`` are issued: phase 2 never writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

Row = dict[str, Any]
Query = Callable[[str, Sequence[object]], list[Row]]

_IDENTIFIER = re.compile(r"^[A-Za-z0-9_$]{1,64}$")


class _Connection(Protocol):
    def cursor(self) -> Any: ...


def query_runner(connection: _Connection) -> Query:
    def run(sql: str, args: Sequence[object] = ()) -> list[Row]:
        with connection.cursor() as cursor:
            cursor.execute(sql, tuple(args))
            return list(cursor.fetchall())

    return run


def quote_identifier(name: str) -> str:
    """Backtick-quote a table/column name from the profile; anything odd is refused."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"{name!r} is not a plain SQL identifier")
    return f"`{name}`"


# --- server and schema ----------------------------------------------------------------------


@dataclass(frozen=True)
class ServerInfo:
    version: str
    current_database: str | None
    user: str


def server_info(query: Query) -> ServerInfo:
    row = query("SELECT VERSION() AS version, DATABASE() AS db, CURRENT_USER() AS user", ())[0]
    return ServerInfo(str(row["version"]), row["db"], str(row["user"]))


@dataclass(frozen=True)
class SchemaInfo:
    name: str
    charset: str
    collation: str


def schema_info(query: Query, name: str) -> SchemaInfo | None:
    rows = query(
        "SELECT SCHEMA_NAME AS name, DEFAULT_CHARACTER_SET_NAME AS charset,"
        " DEFAULT_COLLATION_NAME AS collation"
        " FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s",
        (name,),
    )
    if not rows:
        return None
    return SchemaInfo(str(rows[0]["name"]), str(rows[0]["charset"]), str(rows[0]["collation"]))


def visible_schemas(query: Query) -> list[str]:
    rows = query("SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA ORDER BY 1", ())
    return [str(row["name"]) for row in rows]


def table_charsets(query: Query, schema: str) -> dict[str, str]:
    """Each base table's collation's charset, e.g. ``{"calls": "utf8mb4"}``."""
    rows = query(
        "SELECT t.TABLE_NAME AS name, c.CHARACTER_SET_NAME AS charset"
        " FROM information_schema.TABLES t"
        " JOIN information_schema.COLLATION_CHARACTER_SET_APPLICABILITY c"
        "   ON c.COLLATION_NAME = t.TABLE_COLLATION"
        " WHERE t.TABLE_SCHEMA = %s AND t.TABLE_TYPE = 'BASE TABLE'",
        (schema,),
    )
    return {str(row["name"]): str(row["charset"]) for row in rows}


# --- migrations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppliedMigration:
    name: str
    batch: int


@dataclass(frozen=True)
class MigrationReport:
    applied: tuple[AppliedMigration, ...]
    pending: tuple[str, ...]
    unknown: tuple[str, ...]
    latest_applied: str | None
    expected_latest: str

    @property
    def latest_ok(self) -> bool:
        return self.latest_applied == self.expected_latest

    def as_evidence(self) -> dict[str, object]:
        return {
            "applied": [{"migration": m.name, "batch": m.batch} for m in self.applied],
            "pending": list(self.pending),
            "unknown": list(self.unknown),
            "latest_applied": self.latest_applied,
            "expected_latest": self.expected_latest,
        }


def applied_migrations(query: Query, table: str) -> list[AppliedMigration]:
    rows = query(
        f"SELECT migration, batch FROM {quote_identifier(table)} ORDER BY batch, id", ()
    )
    return [AppliedMigration(str(row["migration"]), int(row["batch"])) for row in rows]


def compare_migrations(
    applied: Sequence[AppliedMigration],
    expected: Sequence[str],
    expected_latest: str,
    reported_pending: Iterable[str] = (),
) -> MigrationReport:
    """Pending = expected (or reported pending) but not recorded; unknown = recorded only."""
    names = [migration.name for migration in applied]
    recorded = set(names)
    wanted = list(dict.fromkeys([*expected, expected_latest]))
    pending = [name for name in wanted if name not in recorded]
    pending += [name for name in reported_pending if name not in pending]
    known = set(wanted)
    unknown = [name for name in names if expected and name not in known]
    return MigrationReport(
        applied=tuple(applied),
        pending=tuple(pending),
        unknown=tuple(unknown),
        latest_applied=max(names) if names else None,
        expected_latest=expected_latest,
    )


_MIGRATION_NAME = re.compile(r"\b\d{4}_\d{2}_\d{2}_\d{6}_\w+")
_RAN = re.compile(r"\bRan\b", re.IGNORECASE)


def parse_pending_output(stdout: str) -> list[str]:
    """Pending migrations from a status command's output.

    Understands both a plain list (one pending name per line) and ``artisan migrate:status``
    tables, where a row is pending unless it says ``Ran``; lines naming no migration
    (headers, rules, comments) are skipped.
    """
    pending: list[str] = []
    for line in stdout.splitlines():
        match = _MIGRATION_NAME.search(line)
        if match and not line.lstrip().startswith("#") and not _RAN.search(line):
            pending.append(match.group(0))
    return pending


# --- tables, columns, indexes ----------------------------------------------------------------


@dataclass(frozen=True)
class ColumnInfo:
    table: str
    nullable: bool
    column_type: str


def base_tables(query: Query, schema: str) -> set[str]:
    rows = query(
        "SELECT TABLE_NAME AS name FROM information_schema.TABLES"
        " WHERE TABLE_SCHEMA = %s AND TABLE_TYPE = 'BASE TABLE'",
        (schema,),
    )
    return {str(row["name"]) for row in rows}


def column_by_table(query: Query, schema: str, column: str) -> dict[str, ColumnInfo]:
    rows = query(
        "SELECT TABLE_NAME AS tbl, IS_NULLABLE AS nullable, COLUMN_TYPE AS type"
        " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s AND COLUMN_NAME = %s",
        (schema, column),
    )
    return {
        str(row["tbl"]): ColumnInfo(str(row["tbl"]), row["nullable"] == "YES", str(row["type"]))
        for row in rows
    }


IndexMap = dict[tuple[str, str], tuple[str, ...]]


def indexes(query: Query, schema: str) -> IndexMap:
    """``(table, index) -> columns in index order`` for every index of the schema."""
    rows = query(
        "SELECT TABLE_NAME AS tbl, INDEX_NAME AS idx, COLUMN_NAME AS col"
        " FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = %s"
        " ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
        (schema,),
    )
    found: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        found.setdefault((str(row["tbl"]), str(row["idx"])), []).append(str(row["col"]))
    return {key: tuple(columns) for key, columns in found.items()}


def leading_indexes(index_map: IndexMap, table: str, column: str) -> list[str]:
    """Indexes of `table` that can serve ``WHERE column = ?`` (column first)."""
    return [idx for (tbl, idx), cols in index_map.items() if tbl == table and cols[:1] == (column,)]


def tenant_column_problems(
    tables: Iterable[str],
    present_tables: set[str],
    columns: Mapping[str, ColumnInfo],
    tenant_column: str,
) -> list[str]:
    """Tenant tables that lack the tenant column or allow NULL in it."""
    problems: list[str] = []
    for table in tables:
        if table not in present_tables:
            problems.append(f"{table}: table missing")
        elif table not in columns:
            problems.append(f"{table}: no {tenant_column} column")
        elif columns[table].nullable:
            problems.append(
                f"{table}.{tenant_column} allows NULL ({columns[table].column_type} NULL)"
            )
    return problems


def unindexed_tenant_tables(
    tables: Iterable[str], index_map: IndexMap, tenant_column: str
) -> list[str]:
    return [table for table in tables if not leading_indexes(index_map, table, tenant_column)]


def missing_indexes(index_map: IndexMap, wanted: Iterable[tuple[str, str]]) -> list[str]:
    return [f"{table}.{index}" for table, index in wanted if (table, index) not in index_map]


# --- data ------------------------------------------------------------------------------------


def row_counts(query: Query, tables: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in tables:
        rows = query(f"SELECT COUNT(*) AS n FROM {quote_identifier(table)}", ())
        counts[table] = int(rows[0]["n"])
    return counts


def below_minimum(counts: Mapping[str, int], minimums: Mapping[str, int]) -> list[str]:
    return [
        f"{table}: {counts.get(table, 0)} rows, expected at least {minimum}"
        for table, minimum in minimums.items()
        if counts.get(table, 0) < minimum
    ]


@dataclass(frozen=True)
class ReferenceBreach:
    kind: str  # "orphan" | "cross-tenant"
    reference: str
    rows: tuple[Row, ...] = field(default=())

    def describe(self) -> str:
        sample = ", ".join(str(dict(row)) for row in self.rows[:3])
        return f"{len(self.rows)} {self.kind} row(s) in {self.reference}: {sample}"


def orphan_sql(table: str, column: str, references: str, limit: int) -> str:
    t, c, r = quote_identifier(table), quote_identifier(column), quote_identifier(references)
    return (
        f"SELECT t.`id` AS id, t.{c} AS ref FROM {t} t LEFT JOIN {r} r ON r.`id` = t.{c}"
        f" WHERE t.{c} IS NOT NULL AND r.`id` IS NULL ORDER BY t.`id` LIMIT {int(limit)}"
    )


def cross_tenant_sql(table: str, column: str, references: str, tenant: str, limit: int) -> str:
    t, c, r, k = (quote_identifier(name) for name in (table, column, references, tenant))
    return (
        f"SELECT t.`id` AS id, t.{k} AS tenant, r.`id` AS ref, r.{k} AS ref_tenant"
        f" FROM {t} t JOIN {r} r ON r.`id` = t.{c}"
        f" WHERE NOT (t.{k} <=> r.{k}) ORDER BY t.`id` LIMIT {int(limit)}"
    )


def reference_breaches(
    query: Query,
    references: Iterable[tuple[str, str, str]],
    tenant_column: str,
    limit: int = 20,
) -> list[ReferenceBreach]:
    """Orphans for every (table, column, referenced table); cross-tenant rows where the
    referenced table is itself tenant-scoped (a column other than the tenant column)."""
    breaches: list[ReferenceBreach] = []
    for table, column, target in references:
        name = f"{table}.{column} → {target}.id"
        orphans = query(orphan_sql(table, column, target, limit), ())
        if orphans:
            breaches.append(ReferenceBreach("orphan", name, tuple(orphans)))
        if column != tenant_column:
            crossed = query(cross_tenant_sql(table, column, target, tenant_column, limit), ())
            if crossed:
                breaches.append(ReferenceBreach("cross-tenant", name, tuple(crossed)))
    return breaches
