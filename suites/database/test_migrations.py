"""P2.2: every migration ran, the latest is the expected one, none is pending or unknown."""

import pytest

from staging_gate import expect
from staging_gate.commands import CommandFailed, run_command
from staging_gate.evidence import attach_json, attach_text
from staging_gate.probes import schema


@pytest.fixture
def migrations(query, profile) -> schema.MigrationReport:
    settings = profile.database
    reported: list[str] = []
    if settings.pending_migrations_command:
        try:
            result = run_command(settings.pending_migrations_command, timeout=60)
        except CommandFailed as error:
            pytest.fail(f"pending-migrations command failed: {error}", pytrace=False)
        attach_text("pending migrations (command output)", result.stdout or "<none>")
        reported = schema.parse_pending_output(result.stdout)
    report = schema.compare_migrations(
        schema.applied_migrations(query, settings.migrations_table),
        settings.expected_migrations,
        settings.latest_migration,
        reported,
    )
    return report


def test_P2_2_migrations_all_applied(migrations, profile):
    """Every expected migration is recorded, none is pending, the latest is the expected one."""
    where = f"{profile.database.name}.{profile.database.migrations_table}"
    attach_json("migrations", migrations.as_evidence())
    problems = []
    if migrations.pending:
        problems.append(f"pending: {', '.join(migrations.pending)}")
    if not migrations.latest_ok:
        problems.append(
            f"latest applied is {migrations.latest_applied}, expected {migrations.expected_latest}"
        )
    expect.no_problems(problems, f"migrations in {where}")


def test_P2_2_no_unknown_migrations(migrations, profile):
    """No migration is recorded that this release does not ship (a schema from another branch)."""
    where = f"{profile.database.name}.{profile.database.migrations_table}"
    attach_json("migrations", migrations.as_evidence())
    expect.that(
        bool(profile.database.expected_migrations),
        "profile lists no database.expected_migrations; unknown migrations cannot be judged",
    )
    expect.no_problems(
        [f"unknown migration {name}" for name in migrations.unknown],
        f"migrations in {where} not shipped by the release",
    )
