"""The release diff against real MariaDB: a "production" ledger two migrations behind staging
(a scratch database on the reference target), read through a second DSN."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from staging_gate.deployment.connections import connect_db, parse_mysql_dsn
from staging_gate.profile import load_profile
from staging_gate.run import reference
from staging_gate.verdict import release_diff

MIGRATIONS = Path(__file__).resolve().parent.parent / "reference_target" / "migrations"
PRODUCTION_DB = "staging_gate_scratch_release_diff"
ENV = "SG_TEST_PRODUCTION_DSN_READONLY"


@pytest.fixture
def production_behind(
    reference_target: reference.ReferenceTarget, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[str]]:
    """A scratch "production" whose ledger lacks staging's last two migrations."""
    for name, value in reference_target.secrets.items():
        monkeypatch.setenv(name, value)
    staging_dsn = reference_target.secrets["STAGING_DB_DSN"]
    connection = connect_db(parse_mysql_dsn(staging_dsn))
    with connection.cursor() as cursor:
        cursor.execute("SELECT migration, batch FROM migrations ORDER BY batch, id")
        ledger = [(str(r["migration"]), int(r["batch"])) for r in cursor.fetchall()]
        cursor.execute(f"DROP DATABASE IF EXISTS {PRODUCTION_DB}")
        cursor.execute(f"CREATE DATABASE {PRODUCTION_DB}")
        cursor.execute(f"CREATE TABLE {PRODUCTION_DB}.migrations (id INT AUTO_INCREMENT "
                       "PRIMARY KEY, migration VARCHAR(255), batch INT)")
        cursor.executemany(f"INSERT INTO {PRODUCTION_DB}.migrations (migration, batch) "
                           "VALUES (%s, %s)", ledger[:-2])
        cursor.execute(f"CREATE TABLE {PRODUCTION_DB}.users (id INT)")
    monkeypatch.setenv(ENV, staging_dsn.rsplit("/", 1)[0] + "/" + PRODUCTION_DB)
    try:
        yield [name for name, _ in ledger[-2:]]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {PRODUCTION_DB}")
        connection.close()


def profile_with_release(target: reference.ReferenceTarget, tmp_path: Path,
                         migrations: Path, blocks: bool = False) -> Path:
    text = target.profile_path.read_text(encoding="utf-8")
    path = tmp_path / "profile.toml"
    path.write_text(text + f'\n[release]\nproduction_dsn_env = "{ENV}"\n'
                    f'migrations_path = "{migrations}"\nblocks = {str(blocks).lower()}\n',
                    encoding="utf-8")
    return path


def test_lists_what_production_lacks_and_nothing_risky_in_the_reference_release(
    production_behind: list[str], reference_target: reference.ReferenceTarget, tmp_path: Path
) -> None:
    profile = load_profile(profile_with_release(reference_target, tmp_path, MIGRATIONS))
    diff = release_diff.compute(profile)
    assert diff is not None and diff.error is None, diff
    assert list(diff.unapplied) == production_behind
    assert diff.risky == () and diff.unread == ()


def test_flags_a_drop_in_the_release_and_blocks_only_when_told(
    production_behind: list[str], reference_target: reference.ReferenceTarget, tmp_path: Path
) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, migrations)
    latest = migrations / f"{production_behind[-1]}.sql"
    latest.write_text("-- @up\nALTER TABLE users DROP COLUMN legacy_pin;\n-- @down\n",
                      encoding="utf-8")
    profile = load_profile(profile_with_release(reference_target, tmp_path, migrations))
    diff = release_diff.compute(profile)
    assert diff is not None and diff.error is None, diff
    (statement,) = diff.risky
    assert (statement.kind, statement.table, statement.rows) == ("drop", "users", 0)
    section = release_diff.markdown(diff, blocks=False)
    assert "1 risky statement(s) — does not block the sign-off" in section
    assert "drop on users (~0 rows): ALTER TABLE users DROP COLUMN legacy_pin" in section


def test_an_unreadable_production_is_information_not_a_crash(
    reference_target: reference.ReferenceTarget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in reference_target.secrets.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(ENV, "mysql://nobody:wrong@127.0.0.1:1/askproai_db")
    diff = release_diff.compute(load_profile(profile_with_release(reference_target, tmp_path,
                                                                  MIGRATIONS)))
    assert diff is not None and diff.error and "unreachable" in diff.error
