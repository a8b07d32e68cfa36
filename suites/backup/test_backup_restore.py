"""P7.1: the deploy's backup restores — into a scratch database, never over staging — and
holds every table with the same rows (count and checksum; the differing columns named).
The logic lives in `staging_gate.probes.backup` (copy, compare, scratch lifecycle) and
`staging_gate.probes.backup_dump` (unsafe statements, qualifier/DEFINER rewrite, restore
errors); this file wires connections and judges. The scratch database is created on the
connection of ``backup.scratch_dsn_env`` when set, and dropped on a fresh connection, also
when the check fails half way or its own connection died."""

import dataclasses
import tempfile
from pathlib import Path

import pymysql
import pytest

from staging_gate import expect
from staging_gate.deployment.connections import MysqlDsn, parse_mysql_dsn
from staging_gate.deployment.target import Target
from staging_gate.evidence import attach_json, attach_text
from staging_gate.probes import backup
from staging_gate.profile import Profile

SCRATCH_DSN_SETTING = "backup.scratch_dsn_env"


@pytest.fixture
def scratch_dsn(profile: Profile, target: Target) -> MysqlDsn:
    """Who creates, fills and drops the scratch database: ``backup.scratch_dsn_env``'s user
    (no database selected) or else the gate's own."""
    env_var = profile.backup.scratch_dsn_env
    if not env_var:
        return target.dsn()
    return dataclasses.replace(parse_mysql_dsn(profile.secret(env_var), env_var), database="")


@pytest.mark.exclusive
def test_P7_1_backup_restores_identically(query, profile, scratch_dsn):
    """Dump staging with the deploy's command, restore it into `<prefix><random>`, compare
    every table's row count and checksum with staging, then drop the scratch database."""
    settings, live = profile.backup, profile.database.name
    expect.that(bool(settings.dump_command),
                "profile sets no backup.dump_command; the backup cannot be tested")
    prefix, timeout = settings.scratch_database_prefix, profile.database.connect_timeout_seconds
    scratch = backup.scratch_name(prefix)
    copy = scratch_dsn
    error = None
    with (tempfile.TemporaryDirectory(prefix="staging-gate-backup-") as tmp,
          backup.connected(copy, timeout) as copy_query,
          backup.scratch_database(copy_query, scratch, lambda: backup.connected(copy, timeout),
                                  prefix, SCRATCH_DSN_SETTING) as created):
        try:
            comparison, run = backup.copy_to_scratch(
                query, copy_query, backup.copy_plan(settings, copy), live, scratch,
                Path(tmp), prefix, SCRATCH_DSN_SETTING)
        except backup.UnsafeDump as unsafe:
            attach_text("unsafe statements in the dump", "\n".join(unsafe.statements))
            error = str(unsafe)
        except backup.BackupFailed as failure:
            error = str(failure)
        except pymysql.MySQLError as failure:
            error = f"the database failed during the copy: {type(failure).__name__}: {failure}"
    gone = f"scratch database {scratch} was not dropped ({created.drop_error or 'still listed'})"
    if error is not None:
        attach_text("backup/restore error", error)
        expect.that(created.dropped, gone)
        pytest.fail(f"backup of {live}: {error}", pytrace=False)
    attach_json("backup vs staging", {
        "staging": live, "scratch": scratch, "scratch_dropped": created.dropped,
        **run,
        **comparison.as_evidence(),
    })
    expect.that(created.dropped, gone)
    expect.that(bool(comparison.copy), f"the restore of {live} into {scratch} holds no tables")
    expect.no_problems(comparison.problems(), f"backup of {live} restored into {scratch}")
