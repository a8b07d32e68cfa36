"""P7.1: the deploy's backup restores — into a scratch database, never over staging — and
holds every table with the same rows (count and checksum). A dump that would switch to or
create a database of its own (`USE`, `CREATE DATABASE`) is refused before the restore. The
scratch database is dropped afterwards on a fresh connection, also when the check fails half
way or its own connection died (a slow CHECKSUM TABLE can outlast the read timeout)."""

import contextlib
import re
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pymysql
import pytest

from staging_gate import expect
from staging_gate.commands import CommandFailed
from staging_gate.connections import connect_db
from staging_gate.evidence import attach_json, attach_text
from staging_gate.probes import backup, schema
from staging_gate.profile import Profile
from staging_gate.target import Target

# Statements that would make the restore leave the scratch database (e.g. a dump taken with
# --databases): restored, they would write over live staging.
UNSAFE_STATEMENT = re.compile(rb"^(USE |CREATE DATABASE)", re.IGNORECASE)


def restore_plan(profile: Profile, target: Target) -> tuple[Sequence[str], dict[str, str] | None]:
    """The profile's restore command, or the local client over the DSN (password via env)."""
    if profile.backup.restore_command:
        return profile.backup.restore_command, None
    dsn = target.dsn()
    return backup.client_restore_command(dsn), backup.client_env(dsn)


def unsafe_statements(dump_file: Path, limit: int = 3) -> list[str]:
    """`line N: statement` for the first lines of the dump that start with USE or CREATE
    DATABASE (read line by line: dumps can be large)."""
    found: list[str] = []
    with dump_file.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if UNSAFE_STATEMENT.match(line):
                text = line.decode("utf-8", "replace").strip()
                found.append(f"line {number}: {text[:120]}")
                if len(found) >= limit:
                    break
    return found


@contextlib.contextmanager
def fresh_query(target: Target) -> Iterator[schema.Query]:
    """Queries on a new connection of their own, closed afterwards."""
    connection = connect_db(target.dsn(), target.profile.database.connect_timeout_seconds)
    try:
        yield schema.query_runner(connection)
    finally:
        with contextlib.suppress(pymysql.MySQLError):
            connection.close()


@dataclass
class Scratch:
    name: str
    dropped: bool = False  # set when the block ends: gone, as a fresh connection sees it


@contextlib.contextmanager
def scratch_database(query: schema.Query, target: Target, name: str) -> Iterator[Scratch]:
    """Create `name` and drop it however the block ends — on a fresh connection, since the
    check's own one may have died (the drop must not depend on it)."""
    quoted = schema.quote_identifier(name)
    query(f"CREATE DATABASE {quoted} {backup.SCRATCH_CHARSET}", ())
    scratch = Scratch(name)
    try:
        yield scratch
    finally:
        with fresh_query(target) as dropper:
            dropper(f"DROP DATABASE IF EXISTS {quoted}", ())
            scratch.dropped = name not in schema.visible_schemas(dropper)


def dump_and_restore(
    query: schema.Query, profile: Profile, target: Target, scratch: str, workdir: Path
) -> tuple[backup.CopyComparison, dict[str, object]]:
    """Staging fingerprinted around the dump, the dump restored into `scratch`, the copy
    fingerprinted and compared; the caller owns (and drops) `scratch`."""
    settings, live = profile.backup, profile.database.name
    dump_file = workdir / f"{live}.sql"
    before = backup.fingerprints(query, live)
    started = time.monotonic()
    backup.dump(settings.dump_command, dump_file, settings.timeout_seconds)
    after = backup.fingerprints(query, live)
    unsafe = unsafe_statements(dump_file)
    if unsafe:
        attach_text("unsafe statements in the dump", "\n".join(unsafe))
        pytest.fail(
            f"the backup of {live} contains USE / CREATE DATABASE statements, so restoring it "
            f"would write over live staging instead of {scratch}; not restored: "
            + "; ".join(unsafe),
            pytrace=False,
        )
    template, env = restore_plan(profile, target)
    backup.restore(template, dump_file, scratch, settings.timeout_seconds, env)
    comparison = backup.compare(before, after, backup.fingerprints(query, scratch))
    return comparison, {"dump_bytes": dump_file.stat().st_size,
                        "seconds": round(time.monotonic() - started, 2)}


@pytest.mark.exclusive
def test_P7_1_backup_restores_identically(query, profile, target):
    """Dump staging with the deploy's command, restore it into `<prefix><random>`, compare
    every table's row count and checksum with staging, then drop the scratch database."""
    settings, live = profile.backup, profile.database.name
    expect.that(bool(settings.dump_command),
                "profile sets no backup.dump_command; the backup cannot be tested")
    scratch = backup.scratch_name(settings.scratch_database_prefix)
    error = None
    with (tempfile.TemporaryDirectory(prefix="staging-gate-backup-") as tmp,
          scratch_database(query, target, scratch) as created):
        try:
            comparison, run = dump_and_restore(query, profile, target, scratch, Path(tmp))
        except (CommandFailed, pymysql.MySQLError) as failure:
            error = f"{type(failure).__name__}: {failure}"
    dropped = created.dropped
    if error is not None:
        attach_text("backup/restore error", error)
        expect.that(dropped, f"scratch database {scratch} was not dropped")
        pytest.fail(f"backup of {live} could not be dumped and restored: {error}", pytrace=False)
    attach_json("backup vs staging", {
        "staging": live, "scratch": scratch, "scratch_dropped": dropped,
        **run,
        **comparison.as_evidence(),
    })
    expect.that(dropped, f"scratch database {scratch} still exists after the check")
    expect.that(bool(comparison.copy), f"the restore of {live} into {scratch} holds no tables")
    expect.no_problems(comparison.problems(), f"backup of {live} restored into {scratch}")
