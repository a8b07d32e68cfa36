"""P7.1 dump preparation: production-like dumps restore into the scratch database.

Samples from issue 9 (kind 6) and own variants; the expected value is the right restore
text: live qualifiers rewritten, DEFINERs dropped, literals and comments untouched."""

from pathlib import Path

import pytest

from staging_gate.probes import backup_dump

LIVE, SCRATCH = "askproai_staging", "staging_gate_scratch_1"


def prepared(tmp_path: Path, text: str, live: str = LIVE) -> tuple[str, backup_dump.PreparedDump]:
    source, target = tmp_path / "dump.sql", tmp_path / "ready.sql"
    source.write_text(text, encoding="utf-8")
    result = backup_dump.prepare_dump(source, target, live, SCRATCH)
    return target.read_text(encoding="utf-8"), result


@pytest.mark.parametrize(
    ("dump", "restored"),
    [
        # issue 9 sample: a view body naming the staging database, bare
        ("CREATE VIEW v AS select askproai_staging.calls.id from calls;\n",
         f"CREATE VIEW v AS select {SCRATCH}.calls.id from calls;\n"),
        # backtick-quoted qualifiers in a mariadb-dump view (foreign DEFINER)
        ("/*!50013 DEFINER=`prod_user`@`%` SQL SECURITY DEFINER */\n"
         "/*!50001 VIEW `v` AS select `askproai_staging`.`calls`.`id` AS `id` from `calls` */;\n",
         "/*!50013 SQL SECURITY DEFINER */\n"
         f"/*!50001 VIEW `v` AS select `{SCRATCH}`.`calls`.`id` AS `id` from `calls` */;\n"),
        # a routine body, DEFINER in front of PROCEDURE
        ("CREATE DEFINER=`prod_user`@`%` PROCEDURE `p`()\n"
         "SELECT `askproai_staging`.`calls`.id FROM askproai_staging . calls\n;;\n",
         "CREATE PROCEDURE `p`()\n"
         f"SELECT `{SCRATCH}`.`calls`.id FROM {SCRATCH} . calls\n;;\n"),
        # a trigger: versioned DEFINER comment, qualifier rewritten, literal kept
        ("/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER t BEFORE "
         "INSERT ON calls FOR EACH ROW INSERT INTO askproai_staging.audit VALUES "
         "('askproai_staging.calls') */;;\n",
         "/*!50003 CREATE*/ /*!50017 */ /*!50003 TRIGGER t BEFORE "
         f"INSERT ON calls FOR EACH ROW INSERT INTO {SCRATCH}.audit VALUES "
         "('askproai_staging.calls') */;;\n"),
        # quoted accounts and CURRENT_USER, any case
        ("create definer='prod'@'10.0.%' view v as select 1;\n"
         "CREATE DEFINER = CURRENT_USER() FUNCTION f() RETURNS INT RETURN 1;\n",
         "create view v as select 1;\nCREATE FUNCTION f() RETURNS INT RETURN 1;\n"),
    ],
    ids=["bare-view", "backtick-view", "routine", "trigger", "quoted-definers"],
)
def test_production_copy_is_made_fit_for_the_scratch_database(tmp_path, dump, restored):
    assert prepared(tmp_path, dump)[0] == restored


@pytest.mark.parametrize(
    "text",
    [
        # data: the database name inside string literals (also escaped quotes) is data
        "INSERT INTO `t` VALUES (1,'see askproai_staging.calls','it\\'s `askproai_staging`.x');\n",
        "(2,'moved from askproai_staging.calls',\"askproai_staging.x\"),\n",
        # comments are not code
        "-- Host: 127.0.0.1    Database: askproai_staging\n",
        "/* copied from askproai_staging.calls */ SELECT 1;\n",
        "# askproai_staging.calls\n",
        # other names that merely contain it, and the name used as a table or column
        "SELECT askproai_staging2.calls.id, my_askproai_staging.t.c FROM x;\n",
        "SELECT `other`.`askproai_staging`.`c`, t.askproai_staging FROM t;\n",
        # a DEFINER that is only a word (SQL SECURITY DEFINER) stays
        "/*!50013 SQL SECURITY DEFINER */\n",
    ],
)
def test_literals_comments_and_lookalikes_are_not_rewritten(tmp_path, text):
    assert prepared(tmp_path, text)[0] == text


def test_a_literal_spanning_lines_stays_a_literal(tmp_path):
    dump = (
        "CREATE PROCEDURE p() SELECT 'first line\n"
        "askproai_staging.calls is quoted, it''s text\n"
        "still text', askproai_staging.calls.id FROM calls\n"
    )
    restored, result = prepared(tmp_path, dump)
    assert restored == dump.replace("askproai_staging.calls.id", f"{SCRATCH}.calls.id")
    assert result.qualifiers_rewritten == 1


def test_evidence_counts_what_changed(tmp_path):
    dump = (
        "/*!50013 DEFINER=`prod_user`@`%` SQL SECURITY DEFINER */\n"
        "/*!50013 DEFINER=`prod_user`@`%` SQL SECURITY DEFINER */\n"
        "SELECT `askproai_staging`.`a`.x, askproai_staging.b.y;\n"
    )
    evidence = prepared(tmp_path, dump)[1].as_evidence()
    assert evidence["qualifiers naming the live database, rewritten"] == 2
    assert evidence["DEFINER clauses dropped"] == {"DEFINER=`prod_user`@`%`": 2}


def test_unsafe_statements_name_their_lines(tmp_path):
    dump = tmp_path / "d.sql"
    dump.write_text("-- x\nCREATE DATABASE /*!32312 IF NOT EXISTS*/ `askproai_staging`;\n"
                    "USE `askproai_staging`;\nINSERT INTO t VALUES ('USE x');\n")
    assert backup_dump.unsafe_statements(dump) == [
        "line 2: CREATE DATABASE /*!32312 IF NOT EXISTS*/ `askproai_staging`;",
        "line 3: USE `askproai_staging`;",
    ]
    dump.write_text("CREATE TABLE t (id INT);\n")
    assert backup_dump.unsafe_statements(dump) == []


MARIADB_VIEW_DUMP = """\
--
-- Final view structure for view `calls_per_company`
--

/*!50001 DROP VIEW IF EXISTS `calls_per_company`*/;
/*!50001 SET character_set_client      = utf8mb3 */;
/*!50001 CREATE ALGORITHM=UNDEFINED */
/*!50013 SQL SECURITY DEFINER */
/*!50001 VIEW `calls_per_company` AS select `askproai_staging`.`t`.`id` AS `id` from `t` */;
DELIMITER ;;
CREATE PROCEDURE `company_totals`()
SELECT 1
;;
"""


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("command mariadb exited 1: ERROR 1054 (42S22) at line 7: Unknown column "
         "'askproai_staging.t.id' in 'SELECT'",
         "ERROR 1054 at line 7 while creating view `calls_per_company`: Unknown column "
         "'askproai_staging.t.id' in 'SELECT' — likely a column qualified with a database"),
        ("exited 1: ERROR 1227 (42000) at line 11: Access denied; you need (at least one of) "
         "the SUPER, SET USER privilege(s) for this operation",
         "ERROR 1227 at line 11 while creating procedure `company_totals`: Access denied"),
    ],
)
def test_restore_error_names_object_and_cause(tmp_path, message, expected):
    dump = tmp_path / "ready.sql"
    dump.write_text(MARIADB_VIEW_DUMP)
    found = backup_dump.parse_restore_error(message, dump)
    assert found is not None and found.sentence().startswith(expected)
    assert not found.is_privilege


def test_privilege_errors_are_told_apart_and_name_the_account():
    text = ("ERROR 1044 (42000) at line 3: Access denied for user 'askproai_user'@'127.0.0.1' "
            "to database 'staging_gate_scratch_1'")
    found = backup_dump.parse_restore_error(text, None)
    assert found is not None and found.is_privilege and found.line == 3 and found.object is None
    assert backup_dump.account_in_error(found.text) == "'askproai_user'@'127.0.0.1'"
    assert backup_dump.parse_restore_error("mariadb: command not found", None) is None
