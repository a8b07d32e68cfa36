"""P7.1 logic: fingerprints, copy comparison, scratch database lifecycle, dump/restore runs."""

import sys
from pathlib import Path

import pymysql
import pytest

from staging_gate.deployment.commands import CommandFailed
from staging_gate.deployment.connections import MysqlDsn
from staging_gate.errors import CouldNotVerify
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
    assert "DROP DATABASE IF EXISTS `staging_gate_scratch_x`" in statements


def denying(code: int, on: str = "CREATE DATABASE"):
    """A fake Query whose `on` statement fails with MySQL error `code`."""
    statements: list[str] = []

    def query(sql, args):
        statements.append(sql)
        if sql.startswith(on):
            raise pymysql.err.OperationalError(code, f"Access denied for user 'app'@'%' ({on})")
        if "CURRENT_USER" in sql:
            return [{"account": "askproai_user@%"}]
        return []

    return query, statements


def test_user_without_create_privilege_could_not_verify_naming_the_grant():
    query, statements = denying(1044)
    with pytest.raises(CouldNotVerify) as raised, backup.scratch_database(
        query, "staging_gate_scratch_x", prefix="staging_gate_scratch_"
    ):
        pytest.fail("the block must not run without a scratch database")
    assert "may not create the scratch database staging_gate_scratch_x" in raised.value.what
    assert raised.value.fix.startswith(
        "GRANT SELECT, INSERT, CREATE, DROP, ALTER, INDEX, REFERENCES, LOCK TABLES, "
        "CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, TRIGGER "
        "ON `staging\\_gate\\_scratch\\_%`.* TO 'askproai_user'@'%'"
    )
    assert "backup.scratch_dsn_env" in raised.value.fix
    assert not any(s.startswith("DROP") for s in statements)  # nothing was created


def test_other_errors_while_creating_the_scratch_database_pass_through():
    query, _ = denying(1007)  # database exists
    with pytest.raises(pymysql.err.OperationalError), backup.scratch_database(query, "s_x"):
        pass


def test_a_refused_drop_is_recorded_not_raised():
    query, _ = denying(1044, on="DROP DATABASE")

    def visible(sql, args):
        return [{"name": "s_x"}] if "SCHEMATA" in sql else query(sql, args)

    with backup.scratch_database(visible, "s_x") as scratch:
        pass
    assert not scratch.dropped and scratch.drop_error.startswith("MySQL error 1044")


def test_scratch_grant_escapes_like_wildcards():
    assert backup.scratch_grant("gate_", "'u'@'h'").endswith("ON `gate\\_%`.* TO 'u'@'h'")


def columns_db(types: dict[str, str], sums: dict[str, int]):
    """A fake Query: information_schema.COLUMNS gives `types`, the SUM select gives `sums`."""

    def query(sql, args):
        if "information_schema.COLUMNS" in sql:
            return [{"name": name, "type": kind} for name, kind in types.items()]
        if sql.startswith("SELECT SUM("):
            return [{f"c{i}": sums[name] for i, name in enumerate(types) if name in sums}]
        raise AssertionError(sql)

    return query


def test_float_column_changed_by_the_restore_is_named_with_its_table():
    staging = {"retell_call_sessions": F(70, 1), "users": F(3, 2)}
    copy = {"retell_call_sessions": F(70, 9), "users": F(3, 2)}
    types = {"id": "bigint(20) unsigned", "sentiment_score": "float", "summary": "text"}
    live = columns_db(types, {"id": 5, "sentiment_score": 7, "summary": 8})
    restored = columns_db(types, {"id": 5, "sentiment_score": 6, "summary": 8})
    comparison = backup.explain_mismatches(
        backup.compare(staging, staging, copy), live, "askproai_staging", restored, "scratch"
    )
    assert comparison.problems() == [
        "retell_call_sessions: checksum 9 restored, staging has 1 — columns that differ: "
        "sentiment_score"
    ]


def test_lost_and_retyped_columns_are_named():
    live = columns_db({"id": "int(11)", "score": "double", "notes": "text"}, {"id": 1})
    restored = columns_db({"id": "int(11)", "score": "float", "extra": "int(11)"}, {"id": 1})
    difference = backup.column_difference(live, "s", restored, "c", "t")
    assert difference.describe() == (
        "columns missing in the copy: notes; columns only in the copy: extra; "
        "column types changed: score: double restored as float"
    )


def test_column_values_widen_floats_and_tell_null_from_empty():
    assert backup.column_value_expression("score", "float") == (
        "CRC32(CONCAT(ISNULL((`score` + 0e0)), ':', IFNULL((`score` + 0e0), '')))"
    )
    assert "+ 0e0" not in backup.column_value_expression("note", "varchar(20)")
    assert backup.column_value_expression("a`b", "int").startswith("CRC32(CONCAT(ISNULL(`a``b`)")


def script(tmp_path: Path, name: str, body: str) -> list[str]:
    path = tmp_path / name
    path.write_text(body)
    return [sys.executable, str(path)]


DUMP = (
    "import sys; sys.stdout.write('CREATE TABLE t (id INT);\\n"
    "/*!50013 DEFINER=`prod_user`@`%` SQL SECURITY DEFINER */\\n"
    "/*!50001 VIEW `v` AS select `askproai_staging`.`t`.`id` AS `id` from `t` */;\\n')\n"
)


def copy_with(tmp_path: Path, restore_body: str, dump_body: str = DUMP):
    plan = backup.CopyPlan(
        script(tmp_path, "dump.py", dump_body),
        [*script(tmp_path, "restore.py", restore_body), "{file}", "{database}"],
        None,
        10,
    )
    empty = columns_db({}, {})

    def query(sql, args):
        return [] if "information_schema.TABLES" in sql else empty(sql, args)

    return backup.copy_to_scratch(query, query, plan, "askproai_staging", "scratch_1",
                                  tmp_path, "scratch_")


def test_the_restore_gets_the_prepared_dump(tmp_path: Path):
    seen = tmp_path / "seen.sql"
    body = f"import shutil, sys; shutil.copy(sys.argv[1], {str(seen)!r})\n"
    _, evidence = copy_with(tmp_path, body)
    text = seen.read_text()
    assert "`scratch_1`.`t`.`id`" in text and "DEFINER" not in text.replace("SECURITY DEFINER", "")
    assert evidence["DEFINER clauses dropped"] == {"DEFINER=`prod_user`@`%`": 1}
    assert not (tmp_path / "askproai_staging.sql").exists()  # the raw dump is gone


def test_a_failed_restore_names_the_object_and_cause(tmp_path: Path):
    body = ("import sys; sys.stderr.write(\"ERROR 1054 (42S22) at line 2: Unknown column "
            "'askproai_staging.t.id' in 'SELECT'\\n\"); sys.exit(1)\n")
    with pytest.raises(backup.BackupFailed, match=(
        r"the restore into scratch_1 failed: ERROR 1054 at line 2 while creating view `v`: "
        r"Unknown column 'askproai_staging.t.id' in 'SELECT' — likely a column qualified")):
        copy_with(tmp_path, body)


def test_a_restore_refused_for_privileges_could_not_verify(tmp_path: Path):
    body = ("import sys; sys.stderr.write(\"ERROR 1142 (42000) at line 3: CREATE VIEW command "
            "denied to user 'askproai_user'@'127.0.0.1' for table `scratch_1`.`v`\\n\"); "
            "sys.exit(1)\n")
    with pytest.raises(CouldNotVerify) as raised:
        copy_with(tmp_path, body)
    fix = raised.value.fix
    assert "CREATE VIEW" in fix and "TO 'askproai_user'@'127.0.0.1'" in fix


def test_a_dump_that_would_use_staging_is_not_restored(tmp_path: Path):
    dump = "import sys; sys.stdout.write('USE `askproai_staging`;\\nCREATE TABLE t (id INT);\\n')\n"
    restored = tmp_path / "restored"
    body = f"open({str(restored)!r}, 'w').write('ran')\n"
    with pytest.raises(backup.UnsafeDump, match="line 1: USE `askproai_staging`"):
        copy_with(tmp_path, body, dump)
    assert not restored.exists()


def test_a_failed_dump_names_the_step(tmp_path: Path):
    with pytest.raises(backup.BackupFailed, match=r"the dump failed: .*exited 3"):
        copy_with(tmp_path, "pass\n", "import sys; sys.exit(3)\n")


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
