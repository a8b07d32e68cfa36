"""P7.1: a backup restores into a scratch database and holds the same data as staging.

The dump and restore go through the profile's command templates (the deploy's own tools);
the comparison is per table: row count and ``CHECKSUM TABLE``. A table that changed while
the dump ran (live sessions, say) cannot be compared by content, so it is compared by
presence only and listed as such. When a checksum differs, `explain_mismatches` names the
columns: per column a sum of CRC32 over the values (FLOAT/DOUBLE widened to DOUBLE first,
since their text form keeps only 6 digits — the very loss a dump can cause), and the
column lists and types of both sides.

The scratch database is created through the gate's DB connection (or the one named by
``backup.scratch_dsn_env``) and dropped on a fresh one; `scratch_database` drops it on
every way out. A user that may not create it makes the check "could not verify" with the
GRANT that fixes it, before anything is dumped (`create_scratch`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import pymysql

from staging_gate.deployment.commands import CommandFailed, render
from staging_gate.deployment.connections import MysqlDsn, connect_db
from staging_gate.errors import CouldNotVerify
from staging_gate.probes.backup_dump import (
    account_in_error,
    parse_restore_error,
    prepare_dump,
    unsafe_statements,
)
from staging_gate.probes.schema import (
    Query,
    base_tables,
    query_runner,
    quote_identifier,
    visible_schemas,
)
from staging_gate.profile import BackupSection

SCRATCH_CHARSET = "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"


@dataclass(frozen=True)
class TableFingerprint:
    rows: int
    checksum: int | None


Fingerprints = dict[str, TableFingerprint]


@dataclass(frozen=True)
class ColumnDifference:
    """Which columns of one table differ between staging and the restored copy."""

    differing: tuple[str, ...] = ()  # same column, other content
    missing: tuple[str, ...] = ()  # in staging, not in the copy
    extra: tuple[str, ...] = ()  # in the copy, not in staging
    retyped: tuple[str, ...] = ()  # "score: float restored as double"

    def describe(self) -> str:
        parts = [
            f"{label} {', '.join(names)}"
            for label, names in (
                ("columns that differ:", self.differing),
                ("columns missing in the copy:", self.missing),
                ("columns only in the copy:", self.extra),
                ("column types changed:", self.retyped),
            )
            if names
        ]
        return "; ".join(parts) or "no single column differs (rows moved between columns?)"


@dataclass(frozen=True)
class CopyComparison:
    """Staging (as dumped) against the restored copy, table by table."""

    source: Mapping[str, TableFingerprint]
    copy: Mapping[str, TableFingerprint]
    changed_during_dump: tuple[str, ...]
    #: For tables whose checksum differs: the columns that do (see `explain_mismatches`).
    columns: Mapping[str, ColumnDifference] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        return sorted(set(self.source) - set(self.copy))

    @property
    def extra(self) -> list[str]:
        return sorted(set(self.copy) - set(self.source))

    def mismatches(self) -> list[str]:
        found: list[str] = []
        for table in sorted(set(self.source) & set(self.copy)):
            if table in self.changed_during_dump:
                continue
            want, got = self.source[table], self.copy[table]
            if want.rows != got.rows:
                found.append(f"{table}: {got.rows} rows restored, staging has {want.rows}")
            elif want.checksum != got.checksum:
                detail = self.columns.get(table)
                found.append(
                    f"{table}: checksum {got.checksum} restored, staging has {want.checksum}"
                    + (f" — {detail.describe()}" if detail else "")
                )
        return found

    def checksum_mismatches(self) -> list[str]:
        """Tables present on both sides, not moving during the dump, with equal row counts
        and different checksums: the ones whose columns are worth naming."""
        return [
            table
            for table in sorted(set(self.source) & set(self.copy))
            if table not in self.changed_during_dump
            and self.source[table].rows == self.copy[table].rows
            and self.source[table].checksum != self.copy[table].checksum
        ]

    def problems(self) -> list[str]:
        problems = [f"table {table} missing in the restored copy" for table in self.missing]
        problems += self.mismatches()
        problems += [f"table {table} in the copy but not in staging" for table in self.extra]
        return problems

    def as_evidence(self) -> dict[str, object]:
        return {
            "tables": {
                table: {
                    "staging": asdict(self.source[table]) if table in self.source else None,
                    "restored": asdict(self.copy[table]) if table in self.copy else None,
                }
                for table in sorted({*self.source, *self.copy})
            },
            "changed_during_dump (compared by presence only)": list(self.changed_during_dump),
            "columns that differ": {t: asdict(d) for t, d in self.columns.items()},
            "problems": self.problems(),
        }


def scratch_name(prefix: str, token: str | None = None) -> str:
    """``<prefix><random hex>``; a plain identifier (checked) so it is safe to quote."""
    name = f"{prefix}{token or secrets.token_hex(6)}"
    quote_identifier(name)
    return name


def fingerprints(query: Query, schema: str) -> Fingerprints:
    """Row count and ``CHECKSUM TABLE`` of every base table of `schema`."""
    found: Fingerprints = {}
    db = quote_identifier(schema)
    for table in sorted(base_tables(query, schema)):
        name = f"{db}.{quote_identifier(table)}"
        rows = int(query(f"SELECT COUNT(*) AS n FROM {name}", ())[0]["n"])
        checksum_rows = query(f"CHECKSUM TABLE {name}", ())
        raw = checksum_rows[0].get("Checksum") if checksum_rows else None
        found[table] = TableFingerprint(rows, None if raw is None else int(raw))
    return found


def changed_between(before: Fingerprints, after: Fingerprints) -> tuple[str, ...]:
    return tuple(sorted(t for t in {*before, *after} if before.get(t) != after.get(t)))


def compare(before: Fingerprints, after: Fingerprints, copy: Fingerprints) -> CopyComparison:
    """`before`/`after` are staging around the dump; the copy must match what did not move."""
    return CopyComparison(after, copy, changed_between(before, after))


# --- columns of a table whose checksum differs -----------------------------------------------

_WIDENED_TYPES = ("float", "double", "real")


def _column(name: str) -> str:
    """Quote a column name read from information_schema (any characters)."""
    return "`" + name.replace("`", "``") + "`"


def table_columns(query: Query, schema: str, table: str) -> dict[str, str]:
    """Column name -> COLUMN_TYPE (``float``, ``varchar(64)``), in table order."""
    rows = query(
        "SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type FROM information_schema.COLUMNS"
        " WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s ORDER BY ORDINAL_POSITION",
        (schema, table),
    )
    return {str(row["name"]): str(row["type"]) for row in rows}


def column_value_expression(name: str, column_type: str) -> str:
    """SQL for one column's value as text that tells every stored value apart: FLOAT and
    DOUBLE widened to DOUBLE (``+ 0e0``), since a FLOAT shows only 6 significant digits
    as text; NULL distinct from the empty string."""
    value = _column(name)
    if column_type.lower().startswith(_WIDENED_TYPES):
        value = f"({value} + 0e0)"
    return f"CRC32(CONCAT(ISNULL({value}), ':', IFNULL({value}, '')))"


def column_sums(
    query: Query, schema: str, table: str, columns: Mapping[str, str]
) -> dict[str, int | None]:
    """Per column, the sum of CRC32 over its values (order-free, so duplicates do not cancel
    out as they would with XOR); one scan of the table."""
    if not columns:
        return {}
    names = list(columns)
    select = ", ".join(
        f"SUM({column_value_expression(name, columns[name])}) AS c{index}"
        for index, name in enumerate(names)
    )
    row = query(f"SELECT {select} FROM {_column(schema)}.{_column(table)}", ())[0]
    return {
        name: None if row[f"c{index}"] is None else int(row[f"c{index}"])
        for index, name in enumerate(names)
    }


def column_difference(source_query: Query, source: str, copy_query: Query, copy: str,
                      table: str) -> ColumnDifference:
    """Which columns of `table` differ between schema `source` and schema `copy`."""
    want = table_columns(source_query, source, table)
    got = table_columns(copy_query, copy, table)
    shared = {name: kind for name, kind in want.items() if got.get(name) == kind}
    want_sums = column_sums(source_query, source, table, shared)
    got_sums = column_sums(copy_query, copy, table, shared)
    return ColumnDifference(
        differing=tuple(name for name in shared if want_sums[name] != got_sums[name]),
        missing=tuple(name for name in want if name not in got),
        extra=tuple(name for name in got if name not in want),
        retyped=tuple(
            f"{name}: {want[name]} restored as {got[name]}"
            for name in want
            if name in got and got[name] != want[name]
        ),
    )


def explain_mismatches(comparison: CopyComparison, source_query: Query, source: str,
                       copy_query: Query, copy: str) -> CopyComparison:
    """`comparison` with the differing columns of every checksum mismatch filled in."""
    columns = {
        table: column_difference(source_query, source, copy_query, copy, table)
        for table in comparison.checksum_mismatches()
    }
    return replace(comparison, columns=columns)


# --- the scratch database -------------------------------------------------------------------

#: Errors that mean "this user may not" (MySQL/MariaDB error codes): database access
#: denied, command denied, column denied, need SUPER, routine denied.
PRIVILEGE_ERRORS = frozenset({1044, 1045, 1142, 1143, 1227, 1370})
#: What a restore into the scratch database needs (mysqldump output: tables, views,
#: routines, triggers); SELECT for the checksums.
SCRATCH_PRIVILEGES = (
    "SELECT, INSERT, CREATE, DROP, ALTER, INDEX, REFERENCES, LOCK TABLES, CREATE VIEW, "
    "SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, TRIGGER"
)


def scratch_grant(prefix: str, account: str) -> str:
    """The GRANT that lets `account` (``'user'@'host'``) create, fill and drop every database
    named ``<prefix>...`` — ``_`` and ``%`` escaped, since GRANT reads the name as a LIKE
    pattern (MySQL reference, "GRANT Statement", database-level privileges)."""
    pattern = prefix.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%") + "%"
    return f"GRANT {SCRATCH_PRIVILEGES} ON `{pattern}`.* TO {account}"


def current_account(query: Query) -> str:
    """``'user'@'host'`` as the server matched this connection (CURRENT_USER())."""
    raw = str(query("SELECT CURRENT_USER() AS account", ())[0]["account"])
    user, _, host = raw.rpartition("@")
    return f"'{user}'@'{host}'"


def privilege_error(error: pymysql.MySQLError) -> bool:
    return bool(error.args) and error.args[0] in PRIVILEGE_ERRORS


def create_scratch(query: Query, name: str, prefix: str, dsn_setting: str) -> None:
    """``CREATE DATABASE name``, or CouldNotVerify naming the GRANT (or `dsn_setting`, the
    profile key for a separate scratch connection) when the user may not. Nothing else is
    created first, so a refusal leaves nothing behind.

    Raises: CouldNotVerify on a privilege error; other pymysql errors pass through.
    """
    try:
        query(f"CREATE DATABASE {quote_identifier(name)} {SCRATCH_CHARSET}", ())
    except pymysql.MySQLError as error:
        if not privilege_error(error):
            raise
        account = current_account(query)
        raise CouldNotVerify(
            f"the database user {account} may not create the scratch database {name} "
            f"(MySQL error {error.args[0]}: {error.args[-1]}), so the backup cannot be "
            "restored anywhere but over staging",
            f"{scratch_grant(prefix, account)}; or set {dsn_setting} to the DSN of a user "
            "who may",
        ) from None


@dataclass
class Scratch:
    name: str
    dropped: bool = False  # set when the block ends: gone, as a fresh connection sees it
    drop_error: str = ""


@contextlib.contextmanager
def scratch_database(
    query: Query,
    name: str,
    fresh: Callable[[], contextlib.AbstractContextManager[Query]] | None = None,
    prefix: str = "",
    dsn_setting: str = "backup.scratch_dsn_env",
) -> Iterator[Scratch]:
    """Create `name` (see `create_scratch`) and drop it however the block ends — on a
    connection from `fresh` when given, since the check's own one may have died. The
    yielded `Scratch` says afterwards whether the database is really gone."""
    create_scratch(query, name, prefix or name, dsn_setting)
    scratch = Scratch(name)
    try:
        yield scratch
    finally:
        with fresh() if fresh else contextlib.nullcontext(query) as dropper:
            try:
                dropper(f"DROP DATABASE IF EXISTS {quote_identifier(name)}", ())
            except pymysql.MySQLError as error:
                scratch.drop_error = f"MySQL error {error.args[0]}: {error.args[-1]}"
            scratch.dropped = name not in visible_schemas(dropper)


def _run_streaming(
    argv: Sequence[str],
    timeout: float,
    *,
    stdin: Path | None = None,
    stdout: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> None:
    """Run a dump/restore command with its big stream in a file, not in memory."""
    shown = " ".join(argv)
    with contextlib.ExitStack() as files:
        source = files.enter_context(stdin.open("rb")) if stdin else subprocess.DEVNULL
        sink = files.enter_context(stdout.open("wb")) if stdout else subprocess.DEVNULL
        try:
            done = subprocess.run(
                list(argv), stdin=source, stdout=sink, stderr=subprocess.PIPE, timeout=timeout,
                check=False, env=dict(env) if env is not None else None,
            )
        except subprocess.TimeoutExpired:
            raise CommandFailed(f"command {shown} ran longer than {timeout:.0f}s") from None
        except OSError as error:
            raise CommandFailed(f"command {shown} could not start: {error}") from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CommandFailed(
            f"command {shown} exited {done.returncode}: {lines[-1] if lines else 'no message'}"
        )


def _uses(template: Sequence[str], placeholder: str) -> bool:
    return any("{" + placeholder + "}" in part for part in template)


def dump(template: Sequence[str], file: Path, timeout: float) -> None:
    """Run the dump command; it writes to {file}, or to stdout which lands in `file`."""
    if not template:
        raise CommandFailed("profile has no backup.dump_command")
    argv = render(template, {"file": str(file)})
    _run_streaming(argv, timeout, stdout=None if _uses(template, "file") else file)
    if not file.exists() or file.stat().st_size == 0:
        raise CommandFailed(f"dump command {' '.join(argv)} produced an empty dump")


def client_restore_command(dsn: MysqlDsn, client: str = "mariadb") -> tuple[str, ...]:
    """The fallback restore: the local client over the DSN, dump on stdin."""
    return (client, "--host", dsn.host, "--port", str(dsn.port), "--user", dsn.user,
            "--protocol", "TCP", "--default-character-set", "utf8mb4", "{database}")


def restore(
    template: Sequence[str], file: Path, database: str, timeout: float,
    env: Mapping[str, str] | None = None,
) -> None:
    argv = render(template, {"file": str(file), "database": database})
    _run_streaming(argv, timeout, stdin=None if _uses(template, "file") else file, env=env)


def client_env(dsn: MysqlDsn) -> dict[str, str]:
    """The password reaches the client through MYSQL_PWD, never the command line."""
    return {**os.environ, "MYSQL_PWD": dsn.password}


# --- one backup, dumped and restored into the scratch database -----------------------------


class BackupFailed(Exception):
    """The backup could not be dumped or restored; the message names the step and cause."""


class UnsafeDump(BackupFailed):
    """The dump would switch to or create a database of its own (``USE``, ``CREATE
    DATABASE``); it is not restored. ``statements`` are the ``line N: ...`` found."""

    def __init__(self, message: str, statements: list[str]) -> None:
        super().__init__(message)
        self.statements = statements


@dataclass(frozen=True)
class CopyPlan:
    """How to copy: the deploy's dump command, the restore command (template and env)."""

    dump_command: Sequence[str]
    restore_command: Sequence[str]
    restore_env: Mapping[str, str] | None
    timeout_seconds: float



def copy_plan(settings: BackupSection, copy: MysqlDsn) -> CopyPlan:
    """The profile's `backup.restore_command` (its own env), or else the local client
    restoring over `copy` (`client_restore_command`, password in `client_env`)."""
    if settings.restore_command:
        template, env = settings.restore_command, None
    else:
        template, env = client_restore_command(copy), client_env(copy)
    return CopyPlan(settings.dump_command, template, env, settings.timeout_seconds)


@contextlib.contextmanager
def connected(dsn: MysqlDsn, timeout: float) -> Iterator[Query]:
    """Queries on a new connection of their own (connect timeout `timeout` s), closed
    afterwards; connect errors (pymysql.MySQLError) propagate."""
    connection = connect_db(dsn, timeout)
    try:
        yield query_runner(connection)
    finally:
        with contextlib.suppress(pymysql.MySQLError):
            connection.close()

def _restore_failure(failure: CommandFailed, prepared: Path, scratch: str, prefix: str,
                     dsn_setting: str) -> Exception:
    """CouldNotVerify when the restoring user lacks a privilege, else BackupFailed naming
    the error, the object at its line and the likely cause."""
    found = parse_restore_error(str(failure), prepared)
    if found is not None and found.is_privilege:
        account = account_in_error(found.text) or "the restoring user"
        return CouldNotVerify(
            f"the restore into {scratch} was refused: {found.sentence()}",
            f"{scratch_grant(prefix, account)}; or set {dsn_setting} (restore over the "
            "local client) to the DSN of a user who may",
        )
    cause = found.sentence() if found is not None else str(failure)
    return BackupFailed(f"the restore into {scratch} failed: {cause}")


def copy_to_scratch(
    live_query: Query,
    copy_query: Query,
    plan: CopyPlan,
    live: str,
    scratch: str,
    workdir: Path,
    prefix: str = "",
    dsn_setting: str = "backup.scratch_dsn_env",
) -> tuple[CopyComparison, dict[str, object]]:
    """Fingerprint `live` around the dump, make the dump fit for `scratch` (`prepare_dump`:
    live qualifiers rewritten, DEFINERs dropped), restore it, fingerprint the copy and
    compare, naming the columns of every checksum mismatch. The caller owns `scratch`.

    Returns the comparison and evidence (dump size, seconds, what the preparation changed).
    Raises: UnsafeDump, BackupFailed (dump or restore failed: step, error, object, cause),
    CouldNotVerify (the restoring user lacks a privilege on `scratch`).
    """
    dump_file = workdir / f"{live}.sql"
    before = fingerprints(live_query, live)
    started = time.monotonic()
    try:
        dump(plan.dump_command, dump_file, plan.timeout_seconds)
    except CommandFailed as failure:
        raise BackupFailed(f"the dump failed: {failure}") from None
    after = fingerprints(live_query, live)
    unsafe = unsafe_statements(dump_file)
    if unsafe:
        raise UnsafeDump(
            f"the backup of {live} contains USE / CREATE DATABASE statements, so restoring it "
            f"would write over live staging instead of {scratch}; not restored: "
            + "; ".join(unsafe),
            unsafe,
        )
    prepared = prepare_dump(dump_file, workdir / f"{scratch}.sql", live, scratch)
    dump_bytes = dump_file.stat().st_size
    dump_file.unlink()
    try:
        restore(plan.restore_command, prepared.path, scratch, plan.timeout_seconds,
                plan.restore_env)
    except CommandFailed as failure:
        raise _restore_failure(failure, prepared.path, scratch, prefix or scratch,
                               dsn_setting) from None
    comparison = compare(before, after, fingerprints(copy_query, scratch))
    comparison = explain_mismatches(comparison, live_query, live, copy_query, scratch)
    return comparison, {
        "dump_bytes": dump_bytes,
        "seconds": round(time.monotonic() - started, 2),
        **prepared.as_evidence(),
    }
