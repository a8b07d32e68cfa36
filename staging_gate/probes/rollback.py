"""P7.2: rolling back the latest migration and applying it again gives the same schema.

A snapshot is the schema as ``information_schema`` describes it — columns (type,
nullability, default, extra, collation) and indexes (uniqueness, columns in order) —
normalized into sorted text lines, so two snapshots compare as sets and their difference
reads as a diff. Column order within a table is kept (``ordinal``) because a re-applied
migration that appends a column at the end is a different schema.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from staging_gate.deployment.commands import CommandResult, run_command
from staging_gate.evidence import attach_text
from staging_gate.probes.schema import AppliedMigration, Query, applied_migrations


@dataclass(frozen=True)
class SchemaSnapshot:
    columns: frozenset[str]
    indexes: frozenset[str]

    @property
    def lines(self) -> list[str]:
        return sorted(self.columns | self.indexes)

    def has_index(self, table: str, index: str) -> bool:
        return any(line.startswith(f"index {table}.{index} ") for line in self.indexes)


def _column_line(row: dict[str, object]) -> str:
    default = "none" if row["dflt"] is None else repr(str(row["dflt"]))
    return (
        f"column {row['tbl']}.{row['col']} #{row['pos']} {row['type']}"
        f" {'NULL' if row['nullable'] == 'YES' else 'NOT NULL'} default={default}"
        f" extra={row['extra'] or '-'} collation={row['coll'] or '-'}"
    )


def snapshot(query: Query, schema: str) -> SchemaSnapshot:
    columns = query(
        "SELECT TABLE_NAME AS tbl, COLUMN_NAME AS col, ORDINAL_POSITION AS pos,"
        " COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS dflt,"
        " EXTRA AS extra, COLLATION_NAME AS coll"
        " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s",
        (schema,),
    )
    index_rows = query(
        "SELECT TABLE_NAME AS tbl, INDEX_NAME AS idx, NON_UNIQUE AS non_unique,"
        " COLUMN_NAME AS col, SUB_PART AS sub FROM information_schema.STATISTICS"
        " WHERE TABLE_SCHEMA = %s ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
        (schema,),
    )
    grouped: dict[tuple[str, str, bool], list[str]] = {}
    for row in index_rows:
        key = (str(row["tbl"]), str(row["idx"]), bool(int(row["non_unique"])))
        part = str(row["col"]) + (f"({row['sub']})" if row["sub"] is not None else "")
        grouped.setdefault(key, []).append(part)
    indexes = {
        f"index {tbl}.{idx} {'' if non_unique else 'UNIQUE '}({', '.join(cols)})"
        for (tbl, idx, non_unique), cols in grouped.items()
    }
    return SchemaSnapshot(frozenset(_column_line(row) for row in columns), frozenset(indexes))


def diff(before: SchemaSnapshot, after: SchemaSnapshot) -> list[str]:
    """``- line`` only before, ``+ line`` only after; empty when the schemas are equal."""
    gone = sorted(set(before.lines) - set(after.lines))
    new = sorted(set(after.lines) - set(before.lines))
    return [f"- {line}" for line in gone] + [f"+ {line}" for line in new]


@dataclass(frozen=True)
class RollbackStep:
    """What one rollback did, judged against the migrations before it."""

    before: tuple[AppliedMigration, ...]
    after: tuple[AppliedMigration, ...]

    @property
    def rolled_back(self) -> list[str]:
        remaining = {m.name for m in self.after}
        return [m.name for m in self.before if m.name not in remaining]

    def problems(self, expected_latest: str) -> list[str]:
        rolled = self.rolled_back
        if not rolled:
            return [
                f"the migrations table still records all {len(self.before)} migrations "
                "after the rollback (nothing was rolled back)"
            ]
        problems: list[str] = []
        if rolled != [expected_latest]:
            problems.append(
                f"rolled back {', '.join(rolled)}; expected exactly {expected_latest}"
            )
        return problems


def lingering_indexes(snap: SchemaSnapshot, indexes: Sequence[tuple[str, str]]) -> list[str]:
    """Indexes the rolled-back migration created that are still there."""
    return [f"{table}.{index}" for table, index in indexes if snap.has_index(table, index)]


def migration_names(applied: Sequence[AppliedMigration]) -> list[str]:
    return [m.name for m in applied]


def command_error(result: CommandResult) -> str | None:
    """None when the command succeeded, else ``"<argv> exited <code>: <last error line>"``
    (stderr's last line, stdout's when stderr is empty)."""
    if result.returncode == 0:
        return None
    lines = (result.stderr or result.stdout).strip().splitlines()
    return f"{' '.join(result.argv)} exited {result.returncode}: {lines[-1] if lines else ''}"


def run_logged(name: str, argv: Sequence[str], timeout: float) -> str | None:
    """Run a profile command (rollback, migrate) within `timeout` seconds, attach its output
    as ``"<name> output"`` and return `command_error` of it."""
    result = run_command(argv, timeout=timeout, check=False)
    attach_text(f"{name} output", f"$ {' '.join(argv)}\n{result.stdout}\n{result.stderr}")
    return command_error(result)


def state(
    query: Query, schema_name: str, migrations_table: str
) -> tuple[SchemaSnapshot, tuple[AppliedMigration, ...]]:
    """The schema snapshot of `schema_name` and the migrations recorded in `migrations_table`."""
    return (snapshot(query, schema_name),
            tuple(applied_migrations(query, migrations_table)))
