from collections.abc import Mapping, Sequence
from datetime import date, datetime

import pymysql
import pytest

from staging_gate.errors import CouldNotVerify
from staging_gate.probes import portal
from staging_gate.probes.portal import Listing, Pagination
from staging_gate.probes.schema import Row

UUID_A = "9b2f4c1e-3a5d-4e6f-8a7b-1c2d3e4f5a6b"


def listing(ids: Sequence[object], page: int = 1, total: int = 300, column: str = "status",
            values: Sequence[str] = ()) -> Listing:
    cells = [{column: v} for v in values] or [{} for _ in ids]
    return Listing(tuple(map(str, ids)), tuple(cells), total,
                   Pagination(page, page > 1, page < 12))


def test_pagination_fine_when_page_two_shows_other_rows():
    first, second = listing(range(1, 26)), listing(range(26, 51), page=2)
    assert portal.pagination_problems(first, second, "calls") == []


def test_pagination_names_page_two_repeating_page_one():
    first, second = listing(range(1, 26)), listing(range(1, 26), page=2)
    (problem,) = portal.pagination_problems(first, second, "calls")
    assert "page 2 repeats page 1: 25 of 25 ids the same" in problem


def test_pagination_without_page_numbers_judges_rows_and_controls():
    first = Listing(("a", "b"), ({}, {}), 70, Pagination(None, False, True))
    second = Listing(("c", "d"), ({}, {}), 70, Pagination(None, True, False))
    assert portal.pagination_problems(first, second, "calls") == []


def test_pagination_missing_controls():
    bare = Listing(("1", "2"), ({}, {}), 2, None)
    assert portal.pagination_problems(bare, bare, "calls") == [
        "calls page 1 offers no next-page control (total 2)",
        "calls page 2 repeats page 1: 2 of 2 ids the same (1, 2)",
    ]


def test_total_problem_compares_with_database():
    assert portal.total_problem(listing([1]), 300, "calls") is None
    assert portal.total_problem(listing([1], total=900), 300, "calls") == (
        "calls: the page says 900 in total, the database holds 300"
    )


def test_foreign_ids_are_those_the_database_does_not_own():
    assert portal.foreign_ids(["3", "1", "2", "9", "9"], owned=["1", "2", "3"]) == ["9"]
    assert portal.foreign_ids([UUID_A, "x"], owned=[UUID_A]) == ["x"]


def test_transcript_lines_match_database_text_with_speaker_labels():
    shown = ["KI-Assistent: Guten  Tag.", "Anrufer: Hallo"]
    assert portal.transcript_problems(shown, ["Guten Tag.", "Hallo"], "7") == []
    assert portal.transcript_problems([], ["Guten Tag."], "7") == [
        "call 7 shows no transcript lines, the database has 1"
    ]
    (problem,) = portal.transcript_problems(["Anrufer: Tschüss"], ["Hallo"], "7")
    assert "line 1 reads 'Anrufer: Tschüss', the database has 'Hallo'" in problem


def test_search_problems():
    found, nothing = listing([5], total=1), Listing((), (), 0, None, empty=True)
    assert portal.search_problems("5", "+49 30 1", found, 300, nothing) == []
    ignored = listing(range(1, 26))
    problems = portal.search_problems("30", "+49 30 1", ignored, 300, ignored)
    assert len(problems) == 3
    assert "found 25 calls on its first page, expected none" in problems[2]


def test_filters_keep_only_matching_rows():
    shown = listing([1, 2], values=["missed", "completed"])
    assert portal.status_mismatches(shown, ["missed"]) == ["row 2 has status='completed'"]
    german = listing([UUID_A], values=[" Abgeschlossen "])
    assert portal.status_mismatches(german, ["Abgeschlossen"]) == []


@pytest.mark.parametrize(
    ("cell", "inside"),
    [
        ("2026-11-27", True),
        ("2026-11-20 10:00:00", False),
        ("27.11.2026 14:30", True),          # Filament dateTime('d.m.Y H:i')
        ("Fr, 20.11.2026", False),
        ("—", False),
        ("31.02.2026", False),
    ],
)
def test_dates_outside_reads_iso_and_german_days(cell, inside):
    dated = listing(["a"], column="date", values=[cell])
    found = portal.dates_outside(dated, date(2026, 11, 21), date(2026, 11, 30))
    assert (found == []) == inside


@pytest.mark.parametrize(
    ("text", "total"),
    [
        ("Showing 1 to 25 of 70 results", 70),
        ("Zeige 1 bis 25 von 70 Ergebnissen", 70),
        ("  Zeige 26 bis 50 von\n 1.234 Ergebnissen ", 1234),
        ("Showing 1 to 10 of 1,234 results", 1234),
        ("Showing 1 result", 1),
        ("Zeige 1 Ergebnis", 1),
        ("Seite 2 von 3", None),
    ],
)
def test_parse_total_english_and_german(text, total):
    patterns = [r"of\s+([\d.,\s ]+?)\s+results", r"von\s+([\d.,\s ]+?)\s+Ergebnissen",
                r"Showing\s+(1)\s+result\b", r"Zeige\s+(1)\s+Ergebnis\b"]
    assert portal.parse_total(text, patterns) == total


@pytest.mark.parametrize(
    ("raw", "pattern", "found"),
    [
        ("12", "", "12"),
        (f"Xq1.table.records.{UUID_A}", r"\.table\.records\.(.+)$", UUID_A),
        ("Xq1.table.records.01HZX3J5N8Q9R2S4T6V8W0Y2Z4", r"\.table\.records\.(.+)$",
         "01HZX3J5N8Q9R2S4T6V8W0Y2Z4"),
        ("Xq1.table.bulk-select", r"\.table\.records\.(.+)$", None),
        ("  ", "", None),
        (None, "", None),
    ],
)
def test_extract_id_keeps_strings(raw, pattern, found):
    assert portal.extract_id(raw, pattern) == found


def test_stat_cards_equal_database_counts():
    expected = {"calls_total": 1300, "calls_today": 8}
    assert portal.stat_problems({"calls_total": "1.300", "calls_today": " 8 "}, expected) == []
    assert portal.stat_problems({"calls_total": "301", "calls_today": "8"}, expected) == [
        "stat card calls_total shows '301', the database counts 1300",
    ]


def test_calendar_problems():
    assert portal.calendar_problems(30, 30, 40, 45) == []
    assert portal.calendar_problems(0, 30, 0, 45) == [
        "the month grid shows 0 of its 30 days",
        "the calendar shows no appointments, the database has 45 this month",
    ]


def test_chart_problems():
    drawn = {"width": 700, "height": 220, "drawn": 14, "bars": [["2026-11-25", "8"]]}
    assert portal.chart_problems(drawn, {"2026-11-25": 8}) == []
    assert portal.chart_problems({**drawn, "width": 0}, {}) == [
        "the chart has no visible size (0x220 px)"
    ]
    empty = {**drawn, "drawn": 0, "bars": [["2026-11-25", "0"]]}
    assert portal.chart_problems(empty, {"2026-11-25": 8}) == [
        "the chart draws nothing, the database has 8 calls in its days",
        "the bar for 2026-11-25 says 0, the database counts 8",
    ]


def test_activity_problems():
    entries = [("call", "5"), ("appointment", "7")]
    owned = {"call": {"5"}, "appointment": {"7"}}
    assert portal.activity_problems(entries, owned, ("call", "5")) == []
    assert portal.activity_problems([], owned, None) == ["no recent activity entries shown"]
    assert portal.activity_problems(entries, {"call": {"5"}, "appointment": set()},
                                    ("call", "6")) == [
        "appointment 7 is not the tenant's (another company's or missing)",
        "the latest call (6) is not among the recent activity",
    ]


class FakeRun:
    def __init__(self, rows: list[Row], error: Exception | None = None) -> None:
        self.rows, self.error = rows, error
        self.seen: list[tuple[str, Mapping[str, object]]] = []

    def __call__(self, sql: str, params: Mapping[str, object]) -> list[Row]:
        self.seen.append((sql, params))
        if self.error is not None:
            raise self.error
        return self.rows


def test_oracle_passes_every_named_parameter_null_unless_set():
    run = FakeRun([{"COUNT(*)": 13}])
    oracle = portal.Oracle(run, company=UUID_A, today=date(2026, 11, 29))
    params = portal.range_params(date(2026, 11, 1), date(2026, 11, 3))
    assert oracle.count("[portal.calls.sql].count", "SELECT 1", status="missed", **params) == 13
    _, seen = run.seen[0]
    assert seen["company_id"] == UUID_A and seen["status"] == "missed"
    assert (seen["from"], seen["to"], seen["until"]) == (
        date(2026, 11, 1), date(2026, 11, 3), date(2026, 11, 4))
    assert seen["search"] is None and seen["ids"] is None


def test_oracle_sql_error_is_could_not_verify_naming_the_key():
    failing = FakeRun([], portal.ProfileSqlError("(1054, \"Unknown column 'status'\")"))
    with pytest.raises(CouldNotVerify) as caught:
        portal.Oracle(failing).count("[portal.calls.sql].count", "SELECT status FROM x")
    assert "profile SQL [portal.calls.sql].count failed: (1054" in str(caught.value)
    assert "fix: correct [portal.calls.sql].count" in str(caught.value)


def test_oracle_missing_sql_names_the_key():
    with pytest.raises(CouldNotVerify, match=r"\[portal.calls.sql\].owned is not set"):
        portal.Oracle(FakeRun([])).owned("[portal.calls.sql].owned", "", ["1"])


def test_oracle_count_that_is_no_number_cannot_verify():
    with pytest.raises(CouldNotVerify, match="returned 'abc', not a number"):
        portal.Oracle(FakeRun([{"x": "abc"}])).count("k", "SELECT 'abc'")


def test_oracle_ids_are_strings_and_no_query_for_no_ids():
    run = FakeRun([{"id": 4}, {"id": UUID_A}])
    oracle = portal.Oracle(run)
    assert oracle.owned("k", "SELECT id", ["4", UUID_A]) == ["4", UUID_A]
    assert run.seen[0][1]["ids"] == ("4", UUID_A)
    assert oracle.owned("k", "SELECT id", []) == [] and len(run.seen) == 1


def test_oracle_per_day_reads_dates_and_datetimes():
    run = FakeRun([{"day": date(2026, 11, 25), "n": 8},
                   {"day": datetime(2026, 11, 26, 0, 0), "n": 2}])
    per_day = portal.Oracle(run).per_day("k", "SELECT", date(2026, 11, 20), date(2026, 11, 26))
    assert per_day == {"2026-11-25": 8, "2026-11-26": 2}


def test_company_and_today():
    oracle = portal.Oracle(FakeRun([{"company_id": 2}]))
    assert portal.company_of(oracle, "SELECT", "a@example.test") == 2
    assert portal.today(portal.Oracle(FakeRun([{"d": date(2026, 11, 29)}])), "SELECT") == date(
        2026, 11, 29)


class FakeCursor:
    def __init__(self, fail: Exception | None) -> None:
        self.fail, self.executed = fail, list[str]()

    def __enter__(self) -> "FakeCursor":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def execute(self, sql: str, params: object = None) -> None:
        self.executed.append(sql)
        if self.fail is not None and sql.startswith("SELECT"):
            raise self.fail

    def fetchall(self) -> list[Row]:
        return [{"n": 1}]


class FakeConnection:
    def __init__(self, fail: Exception | None = None) -> None:
        self.cursor_ = FakeCursor(fail)

    def cursor(self) -> FakeCursor:
        return self.cursor_


def test_read_only_runner_wraps_in_a_read_only_transaction_and_rolls_back():
    connection = FakeConnection()
    assert portal.read_only_runner(connection)("SELECT 1", {}) == [{"n": 1}]
    assert connection.cursor_.executed == ["START TRANSACTION READ ONLY", "SELECT 1", "ROLLBACK"]


def test_read_only_runner_turns_database_errors_into_one_line():
    connection = FakeConnection(pymysql.err.OperationalError(1054, "Unknown column 'text'"))
    with pytest.raises(portal.ProfileSqlError, match="1054 Unknown column 'text'"):
        portal.read_only_runner(connection)("SELECT text FROM x", {})
    assert connection.cursor_.executed[-1] == "ROLLBACK"
