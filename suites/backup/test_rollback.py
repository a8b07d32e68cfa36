"""P7.2: the latest migration rolls back (its indexes go, the migrations table shrinks) and
applies again to exactly the schema staging had. Whatever happens, the gate runs the
migrate command afterwards, so staging is left at the migration it was found at."""

import pytest

from staging_gate import expect
from staging_gate.evidence import attach_json
from staging_gate.probes import rollback


@pytest.mark.exclusive
def test_P7_2_migration_rollback_and_reapply(query, profile):
    """Roll back one step, check the latest migration is undone, migrate again, and compare
    the schema (columns and indexes) with the one before: they must be identical."""
    commands, settings = profile.rollback, profile.database
    expect.that(bool(commands.rollback_command and commands.migrate_command),
                "profile sets no rollback.rollback_command / migrate_command")
    where, timeout = (settings.name, settings.migrations_table), commands.timeout_seconds
    schema_before, applied_before = rollback.state(query, *where)
    try:
        rollback_error = rollback.run_logged("rollback", commands.rollback_command, timeout)
        schema_rolled, applied_rolled = rollback.state(query, *where)
    finally:
        migrate_error = rollback.run_logged("migrate", commands.migrate_command, timeout)
    schema_after, applied_after = rollback.state(query, *where)

    step = rollback.RollbackStep(applied_before, applied_rolled)
    wanted = [(i.table, i.index) for i in settings.latest_migration_indexes]
    changes = rollback.diff(schema_before, schema_rolled)
    reapplied = rollback.diff(schema_before, schema_after)
    attach_json("rollback", {
        "rolled_back": step.rolled_back,
        "migrations_before": rollback.migration_names(applied_before),
        "migrations_after_rollback": rollback.migration_names(applied_rolled),
        "migrations_after_reapply": rollback.migration_names(applied_after),
        "schema_changes_by_rollback": changes,
        "schema_diff_after_reapply": reapplied,
    })

    problems = []
    if rollback_error:
        problems.append(f"rollback failed: {rollback_error}")
    else:
        problems += step.problems(settings.latest_migration)
        problems += [f"index {name} still exists after the rollback"
                     for name in rollback.lingering_indexes(schema_rolled, wanted)]
    if migrate_error:
        problems.append(f"re-applying failed, staging may be left rolled back: {migrate_error}")
    if reapplied:
        problems.append(f"schema after re-applying differs from before ({len(reapplied)} "
                        f"lines): {'; '.join(reapplied[:5])}")
    missing = sorted(set(rollback.migration_names(applied_before))
                     - set(rollback.migration_names(applied_after)))
    if missing:
        problems.append(f"migrations no longer recorded after re-applying: {', '.join(missing)}")
    expect.no_problems(problems, f"rollback of {settings.latest_migration} in {settings.name}")
