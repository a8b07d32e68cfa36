"""P7.1 logic: fingerprints, copy comparison, scratch database lifecycle, dump/restore runs."""

import sys
from pathlib import Path

import pytest

from staging_gate.commands import CommandFailed
from staging_gate.connections import MysqlDsn
from staging_gate.probes import backup
from staging_gate.probes.backup import TableFingerprint as F


def test_scratch_name_uses_prefix_and_is_random():
    first = backup.scratch_name("staging_gate_scratch_")
    assert first.startswith("staging_gate_scratch_")
    assert first != backup.scratch_name("staging_gate_scratch_")
    with pytest.raises(ValueError):
        backup.scratch_name("bad`prefix_")


def test_identical_copy_has_no_problems():
    tables = {"users": F(3, 11), "calls": F(10, 22)}
    assert backup.compare(tables, tables, dict(tables)).problems() == []


def test_missing_table_is_named():
    staging = {"users": F(3, 11), "retell_call_events": F(50, 33)}
    comparison = backup.compare(staging, staging, {"users": F(3, 11)})
    assert comparison.problems() == ["table retell_call_events missing in the restored copy"]
    assert comparison.copy.get("retell_call_events") is None


def test_row_count_and_checksum_mismatches_are_reported():
    staging = {"a": F(3, 1), "b": F(4, 2)}
    copy = {"a": F(2, 1), "b": F(4, 9)}
    assert backup.compare(staging, staging, copy).problems() == [
        "a: 2 rows restored, staging has 3",
        "b: checksum 9 restored, staging has 2",
    ]


def test_table_that_changed_during_dump_is_compared_by_presence_only():
    before = {"sessions": F(5, 1), "users": F(3, 7)}
    after = {"sessions": F(6, 2), "users": F(3, 7)}
    comparison = backup.compare(before, after, {"sessions": F(5, 1), "users": F(3, 7)})
    assert comparison.changed_during_dump == ("sessions",)
    assert comparison.problems() == []


def test_fingerprints_read_count_and_checksum_per_table():
    seen: list[str] = []

    def query(sql, args):
        seen.append(sql)
        if "information_schema.TABLES" in sql:
            return [{"name": "users"}]
        if sql.startswith("SELECT COUNT"):
            return [{"n": 3}]
        return [{"Table": "s.users", "Checksum": 42}]

    assert backup.fingerprints(query, "s") == {"users": F(3, 42)}
    assert "CHECKSUM TABLE `s`.`users`" in seen


def test_scratch_database_dropped_even_when_the_block_fails():
    statements: list[str] = []

    def query(sql, args):
        statements.append(sql)
        return []

    with pytest.raises(RuntimeError), backup.scratch_database(query, "staging_gate_scratch_x"):
        raise RuntimeError("restore broke")
    assert statements[0].startswith("CREATE DATABASE `staging_gate_scratch_x`")
    assert statements[-1] == "DROP DATABASE IF EXISTS `staging_gate_scratch_x`"


def test_dump_to_stdout_lands_in_file_and_restore_reads_stdin(tmp_path: Path):
    dump_file = tmp_path / "d.sql"
    backup.dump([sys.executable, "-c", "print('CREATE TABLE t (id INT);')"], dump_file, 10)
    assert "CREATE TABLE" in dump_file.read_text()
    out = tmp_path / "restored"
    script = f"import sys; open({str(out)!r}, 'w').write(sys.argv[1] + sys.stdin.read())"
    backup.restore([sys.executable, "-c", script, "{database}"], dump_file, "scratch_1", 10)
    assert out.read_text().startswith("scratch_1CREATE TABLE")


def test_dump_failure_names_command_and_error(tmp_path: Path):
    script = "import sys; sys.stderr.write('mysqldump: Got error 1044\\n'); sys.exit(2)"
    with pytest.raises(CommandFailed, match="exited 2: mysqldump: Got error 1044"):
        backup.dump([sys.executable, "-c", script], tmp_path / "d.sql", 10)


def test_empty_dump_is_a_failure(tmp_path: Path):
    with pytest.raises(CommandFailed, match="empty dump"):
        backup.dump([sys.executable, "-c", "pass"], tmp_path / "d.sql", 10)


def test_client_restore_keeps_password_out_of_argv():
    dsn = MysqlDsn("127.0.0.1", 3307, "app", "s3cret", "askproai_staging")
    argv = backup.client_restore_command(dsn)
    assert "s3cret" not in " ".join(argv) and argv[-1] == "{database}"
    assert backup.client_env(dsn)["MYSQL_PWD"] == "s3cret"
