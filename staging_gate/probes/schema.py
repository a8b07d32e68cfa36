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

from staging_gate.errors import CouldNotVerify
from staging_gate.findings import Finding, FindingRaised
from staging_gate.probes import column_types
from staging_gate.profile import DatabaseSection

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


class LedgerMissing(Exception):
    """The migrations table does not exist in the connected database."""


@dataclass(frozen=True)
class AppliedMigration:
    name: str
    batch: int
    id: int | None = None


@dataclass(frozen=True)
class MigrationReport:
    """The ledger judged against the release.

    `squashed`: ledger rows covered by a squashed schema dump (``database.squashed_through``);
    `squash_missing`: the profile names a squashed dump whose last migration is not recorded.
    """

    applied: tuple[AppliedMigration, ...]
    pending: tuple[str, ...]
    unknown: tuple[str, ...]
    latest_applied: str | None
    expected_latest: str
    squashed: tuple[str, ...] = ()
    squash_missing: str | None = None

    @property
    def latest_ok(self) -> bool:
        return self.latest_applied == self.expected_latest

    def as_evidence(self) -> dict[str, object]:
        return {
            "applied_in_ledger_order": [
                {"migration": m.name, "batch": m.batch, "id": m.id} for m in self.applied
            ],
            "pending": list(self.pending),
            "unknown": list(self.unknown),
            "squashed": len(self.squashed),
            "squashed_through_missing": self.squash_missing,
            "latest_applied": self.latest_applied,
            "expected_latest": self.expected_latest,
        }


def _ledger_order(row: Row) -> tuple[int, int, str]:
    row_id = row.get("id")
    return (int(row["batch"]), int(row_id) if row_id is not None else 0, str(row["migration"]))


def applied_migrations(query: Query, table: str) -> list[AppliedMigration]:
    """The ledger in the order migrations were applied: by batch, then id (insertion order).

    Without an ``id`` column (Laravel before 5.5) rows of one batch are ordered by name, as
    Laravel's own ``getRan()`` does. Never by name alone: ledgers hold names like
    ``_*_create_x`` or future-dated ones that would sort after the real last migration.

    Raises: LedgerMissing when `table` does not exist in the connected database.
    """
    exists = query(
        "SELECT COUNT(*) AS n FROM information_schema.TABLES"
        " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s",
        (table,),
    )
    if not int(exists[0]["n"]):
        raise LedgerMissing(table)
    rows = sorted(query(f"SELECT * FROM {quote_identifier(table)}", ()), key=_ledger_order)
    return [
        AppliedMigration(
            str(row["migration"]),
            int(row["batch"]),
            int(row["id"]) if row.get("id") is not None else None,
        )
        for row in rows
    ]


def compare_migrations(
    applied: Sequence[AppliedMigration],
    expected: Sequence[str],
    expected_latest: str,
    reported_pending: Iterable[str] = (),
    squashed_through: str | None = None,
) -> MigrationReport:
    """Pending = expected (or reported pending) but not recorded; unknown = recorded only.

    `applied` is in ledger order (`applied_migrations`); the latest applied is its last row.
    `squashed_through` names the last migration of a squashed schema dump (Laravel's
    ``php artisan schema:dump --prune`` keeps the ledger rows and deletes their files):
    every ledger row up to and including it is expected, never unknown; when it is not
    recorded at all the dump was not loaded (`MigrationReport.squash_missing`).
    """
    names = [migration.name for migration in applied]
    recorded = set(names)
    squashed: list[str] = []
    if squashed_through and squashed_through in recorded:
        squashed = names[: names.index(squashed_through) + 1]
    wanted = list(dict.fromkeys([*expected, expected_latest]))
    pending = [name for name in wanted if name not in recorded]
    pending += [name for name in reported_pending if name not in pending]
    known = set(wanted) | set(squashed)
    unknown = [name for name in names if expected and name not in known]
    return MigrationReport(
        applied=tuple(applied),
        pending=tuple(pending),
        unknown=tuple(dict.fromkeys(unknown)),
        latest_applied=names[-1] if names else None,
        expected_latest=expected_latest,
        squashed=tuple(squashed),
        squash_missing=squashed_through if squashed_through and not squashed else None,
    )


# --- tables, columns, indexes ----------------------------------------------------------------


@dataclass(frozen=True)
class ColumnInfo:
    table: str
    nullable: bool
    column_type: str
    collation: str | None = None


def base_tables(query: Query, schema: str) -> set[str]:
    rows = query(
        "SELECT TABLE_NAME AS name FROM information_schema.TABLES"
        " WHERE TABLE_SCHEMA = %s AND TABLE_TYPE = 'BASE TABLE'",
        (schema,),
    )
    return {str(row["name"]) for row in rows}


def column_by_table(query: Query, schema: str, column: str) -> dict[str, ColumnInfo]:
    """``table -> ColumnInfo`` for every table of `schema` that has `column`."""
    rows = query(
        "SELECT TABLE_NAME AS tbl, IS_NULLABLE AS nullable, COLUMN_TYPE AS type,"
        " COLLATION_NAME AS collation"
        " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s AND COLUMN_NAME = %s",
        (schema, column),
    )
    return {
        str(row["tbl"]): ColumnInfo(
            str(row["tbl"]), row["nullable"] == "YES", str(row["type"]),
            str(row["collation"]) if row.get("collation") else None,
        )
        for row in rows
    }


def tenant_key(
    query: Query, schema: str, configured: str | None, tables: Iterable[str], column: str
) -> str:
    """The ``table.column`` the tenant column refers to: the profile's ``database.tenant_key``,
    else the one column every FOREIGN KEY on the tenant column of `tables` references.

    Raises: CouldNotVerify when the profile names none and the foreign keys name none or
    several (the fix: set ``database.tenant_key``).
    """
    if configured:
        return configured
    rows = query(
        "SELECT TABLE_NAME AS tbl, REFERENCED_TABLE_NAME AS ref_table,"
        " REFERENCED_COLUMN_NAME AS ref_column FROM information_schema.KEY_COLUMN_USAGE"
        " WHERE TABLE_SCHEMA = %s AND COLUMN_NAME = %s AND REFERENCED_TABLE_NAME IS NOT NULL",
        (schema, column),
    )
    wanted = set(tables)
    keys = sorted({f"{r['ref_table']}.{r['ref_column']}" for r in rows if r["tbl"] in wanted})
    if len(keys) != 1:
        found = f"foreign keys name {', '.join(keys)}" if keys else "no foreign key names it"
        raise CouldNotVerify(
            f"which column {column} refers to is unknown ({found})",
            "set database.tenant_key (e.g. \"companies.id\")",
        )
    return keys[0]


def tenant_type_problems(
    columns: Mapping[str, ColumnInfo], tables: Iterable[str], key_name: str, key: ColumnInfo,
    tenant_column: str, shown: int = 10,
) -> list[str]:
    """Tenant tables whose tenant column's type differs from the tenant key's type: one
    problem per distinct column type, naming up to `shown` of its tables, e.g.
    ``audit_logs.company_id, billing_periods.company_id are char(36), the tenant key
    companies.id is bigint(20) unsigned: a text column refers to an integer key, …``.

    Tables without the column are left to `tenant_column_problems`. The rule and its
    reasons are in `column_types.mismatch`.
    """
    groups: dict[tuple[str, str], list[str]] = {}
    for table in tables:
        column = columns.get(table)
        if column is None:
            continue
        reason = column_types.mismatch(
            column.column_type, key.column_type, column.collation, key.collation
        )
        if reason:
            groups.setdefault((column.column_type, reason), []).append(table)
    problems: list[str] = []
    for (column_type, reason), names in groups.items():
        named = ", ".join(f"{table}.{tenant_column}" for table in names[:shown])
        more = f" and {len(names) - shown} more" if len(names) > shown else ""
        verb = "is" if len(names) == 1 else "are"
        problems.append(
            f"{named}{more} {verb} {column_type}, the tenant key {key_name} is "
            f"{key.column_type}: {reason}"
        )
    return problems


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


def migration_report(
    ledger: Sequence[AppliedMigration] | None,
    settings: DatabaseSection,
    reported_pending: Iterable[str] = (),
) -> MigrationReport:
    """`compare_migrations` of the ledger against the profile's ``[database]`` section.

    Raises: FindingRaised (P2.2, an application finding) when the ledger is None — the
    migrations table does not exist, so no migration has run.
    """
    if ledger is None:
        where = f"{settings.name}.{settings.migrations_table}"
        raise FindingRaised([Finding("P2.2", f"table {where} does not exist: no migration has run",
                                     severity="blocker")])
    return compare_migrations(
        ledger, settings.expected_migrations, settings.latest_migration, reported_pending,
        settings.squashed_through,
    )
