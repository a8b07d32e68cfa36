"""P2.2: every migration ran, the latest is the expected one, none is pending or unknown."""

import pytest

from staging_gate import expect
from staging_gate.deployment.commands import CommandFailed, run_command
from staging_gate.evidence import attach_json, attach_text
from staging_gate.probes import migrate_status, schema

SHOWN = 10  # problems named in a message; the full list is attached


@pytest.fixture
def ledger(query, profile) -> tuple[schema.AppliedMigration, ...] | None:
    """The migrations table in ledger order; None when the table does not exist."""
    try:
        return tuple(schema.applied_migrations(query, profile.database.migrations_table))
    except schema.LedgerMissing:
        return None


@pytest.fixture
def reported_pending(profile, ledger) -> tuple[str, ...]:
    """What the profile's status command (``php artisan migrate:status [--pending]`` of any
    Laravel generation, or a plain list) reports as pending; () without a command."""
    settings = profile.database
    command = settings.pending_migrations_command
    if not command or ledger is None:
        return ()
    try:
        result = run_command(command, timeout=60, check=False)
    except CommandFailed as error:
        expect.unverified(f"the pending-migrations command did not run: {error}",
                          "database.pending_migrations_command")
    attach_text("pending migrations (command output)",
                f"$ {' '.join(command)}  (exit {result.returncode})\n{result.stdout}"
                + (f"\n[stderr]\n{result.stderr}" if result.stderr else ""))
    status = migrate_status.parse_status_output(f"{result.stdout}\n{result.stderr}")
    attach_json("pending migrations (as read)", status.as_evidence())
    reason = migrate_status.unreadable_reason(status, result.returncode)
    if reason:
        expect.unverified(
            f"the pending-migrations command's answer cannot be judged: {reason}",
            f"make database.pending_migrations_command run `php artisan migrate:status` in "
            f"the release directory against {settings.name}",
        )
    return status.pending


def test_P2_2_migrations_all_applied(ledger, reported_pending, profile):
    """Every expected migration is recorded, none is pending, the latest applied (the last
    row in ledger order) is the expected one, and a squashed schema dump was loaded."""
    migrations = schema.migration_report(ledger, profile.database, reported_pending)
    where = f"{profile.database.name}.{profile.database.migrations_table}"
    attach_json("migrations", migrations.as_evidence())
    problems = []
    if migrations.squash_missing:
        problems.append(
            f"the squashed schema's last migration {migrations.squash_missing} "
            "(database.squashed_through) is not recorded: the schema dump was not loaded"
        )
    if migrations.pending:
        problems.append(f"pending: {', '.join(migrations.pending[:SHOWN])}" + (
            f" (+{len(migrations.pending) - SHOWN} more, all in the 'migrations' evidence)"
            if len(migrations.pending) > SHOWN else ""))
    if not migrations.latest_ok:
        problems.append(
            f"latest applied is {migrations.latest_applied}, expected {migrations.expected_latest}"
        )
    expect.no_problems(problems, f"migrations in {where}")


def test_P2_2_no_unknown_migrations(ledger, profile):
    """No migration is recorded that this release does not ship (a schema from another
    branch); rows of a squashed schema dump (database.squashed_through) are shipped."""
    migrations = schema.migration_report(ledger, profile.database)
    where = f"{profile.database.name}.{profile.database.migrations_table}"
    attach_json("migrations", migrations.as_evidence())
    if not profile.database.expected_migrations:
        expect.unverified("which migrations the release ships",
                          "list them in database.expected_migrations (ls database/migrations)")
    expect.no_problems(
        [f"unknown migration {name}" for name in migrations.unknown],
        f"migrations in {where} not shipped by the release",
        shown=SHOWN,
    )
