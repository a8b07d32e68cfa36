"""P7.1: the deploy's backup restores — into a scratch database, never over staging — and
holds every table with the same rows (count and checksum). The scratch database is dropped
afterwards, also when the check fails half way."""

import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from staging_gate import expect
from staging_gate.commands import CommandFailed
from staging_gate.evidence import attach_json, attach_text
from staging_gate.guard import require_staging
from staging_gate.probes import backup, schema
from staging_gate.profile import Profile
from staging_gate.target import Target


def restore_plan(profile: Profile, target: Target) -> tuple[Sequence[str], dict[str, str] | None]:
    """The profile's restore command, or the local client over the DSN (password via env)."""
    if profile.backup.restore_command:
        return profile.backup.restore_command, None
    dsn = target.dsn()
    return backup.client_restore_command(dsn), backup.client_env(dsn)


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
    require_staging(target.fingerprint, f"restoring a backup of {live} into a scratch database")
    scratch = backup.scratch_name(settings.scratch_database_prefix)
    error = None
    with (tempfile.TemporaryDirectory(prefix="staging-gate-backup-") as tmp,
          backup.scratch_database(query, scratch)):
        try:
            comparison, run = dump_and_restore(query, profile, target, scratch, Path(tmp))
        except CommandFailed as failure:
            error = str(failure)
    left_behind = scratch in schema.visible_schemas(query)
    if error is not None:
        attach_text("backup/restore error", error)
        expect.that(not left_behind, f"scratch database {scratch} was not dropped")
        pytest.fail(f"backup of {live} could not be dumped and restored: {error}", pytrace=False)
    attach_json("backup vs staging", {
        "staging": live, "scratch": scratch, "scratch_dropped": not left_behind,
        **run,
        **comparison.as_evidence(),
    })
    expect.that(not left_behind, f"scratch database {scratch} still exists after the check")
    expect.that(bool(comparison.copy), f"the restore of {live} into {scratch} holds no tables")
    expect.no_problems(comparison.problems(), f"backup of {live} restored into {scratch}")
