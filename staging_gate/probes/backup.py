"""P7.1: a backup restores into a scratch database and holds the same data as staging.

The dump and restore go through the profile's command templates (the deploy's own tools);
the comparison is per table: row count and ``CHECKSUM TABLE``. A table that changed while
the dump ran (live sessions, say) cannot be compared by content, so it is compared by
presence only and listed as such. The scratch database is created and dropped through the
gate's own DB connection; `scratch_database` drops it on every way out.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from staging_gate.commands import CommandFailed, render
from staging_gate.connections import MysqlDsn
from staging_gate.probes.schema import Query, base_tables, quote_identifier

SCRATCH_CHARSET = "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"


@dataclass(frozen=True)
class TableFingerprint:
    rows: int
    checksum: int | None


Fingerprints = dict[str, TableFingerprint]


@dataclass(frozen=True)
class CopyComparison:
    """Staging (as dumped) against the restored copy, table by table."""

    source: Mapping[str, TableFingerprint]
    copy: Mapping[str, TableFingerprint]
    changed_during_dump: tuple[str, ...]

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
                found.append(
                    f"{table}: checksum {got.checksum} restored, staging has {want.checksum}"
                )
        return found

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


@contextlib.contextmanager
def scratch_database(query: Query, name: str) -> Iterator[str]:
    """Create `name`, yield it, and drop it however the block ends."""
    quoted = quote_identifier(name)
    query(f"CREATE DATABASE {quoted} {SCRATCH_CHARSET}", ())
    try:
        yield name
    finally:
        query(f"DROP DATABASE IF EXISTS {quoted}", ())


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
