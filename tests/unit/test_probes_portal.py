from collections.abc import Sequence
from datetime import date

from staging_gate.probes import portal
from staging_gate.probes.portal import Listing, Pagination
from staging_gate.probes.schema import Row


def listing(ids: Sequence[int], page: int = 1, total: int = 300, column: str = "status",
            values: Sequence[str] = ()) -> Listing:
    cells = [{column: v} for v in values] or [{} for _ in ids]
    return Listing(tuple(ids), tuple(cells), Pagination(page, 12, total, page > 1, page < 12))


def test_pagination_fine_when_page_two_shows_other_rows():
    first, second = listing(range(1, 26)), listing(range(26, 51), page=2)
    assert portal.pagination_problems(first, second, "calls") == []


def test_pagination_names_page_two_repeating_page_one():
    first, second = listing(range(1, 26)), listing(range(1, 26), page=2)
    (problem,) = portal.pagination_problems(first, second, "calls")
    assert "page 2 repeats page 1: 25 of 25 ids the same" in problem


def test_pagination_missing_controls():
    bare = Listing((1, 2), ({}, {}), None)
    assert portal.pagination_problems(bare, bare, "calls") == [
        "calls page 1 has no pagination controls (nav.pagination)"
    ]


def test_total_problem_compares_with_database():
    assert portal.total_problem(listing([1]), 300, "calls") is None
    assert portal.total_problem(listing([1], total=900), 300, "calls") == (
        "calls: the page says 900 in total, the database holds 300"
    )


def test_foreign_ids_are_those_the_database_does_not_own():
    assert portal.foreign_ids([3, 1, 2, 9, 9], owned=[1, 2, 3]) == [9]


def test_transcript_lines_match_database_text_with_speaker_labels():
    shown = ["KI-Assistent: Guten  Tag.", "Anrufer: Hallo"]
    assert portal.transcript_problems(shown, ["Guten Tag.", "Hallo"], 7) == []
    assert portal.transcript_problems([], ["Guten Tag."], 7) == [
        "call 7 shows no transcript lines, the database has 1"
    ]
    (problem,) = portal.transcript_problems(["Anrufer: Tschüss"], ["Hallo"], 7)
    assert "line 1 reads 'Anrufer: Tschüss', the database has 'Hallo'" in problem


def test_search_problems():
    found, nothing = listing([5], total=1), Listing((), (), Pagination(1, 1, 0, False, False))
    assert portal.search_problems(5, "+49 30 1", found, 300, nothing) == []
    ignored = listing(range(1, 26))
    problems = portal.search_problems(30, "+49 30 1", ignored, 300, ignored)
    assert len(problems) == 3
    assert "found 25 calls on its first page, expected none" in problems[2]


def test_filters_keep_only_matching_rows():
    shown = listing([1, 2], values=["missed", "completed"])
    assert portal.column_mismatches(shown, "status", ["missed"]) == [
        "row 2 has status='completed'"
    ]
    dated = listing([1, 2], column="starts_at", values=["2026-11-20 10:00:00", "2026-11-27"])
    assert portal.dates_outside(dated, "starts_at", date(2026, 11, 21), date(2026, 11, 30)) == [
        "row 1 has starts_at='2026-11-20 10:00:00'"
    ]


def test_stat_cards_equal_database_counts():
    expected = {"calls_total": 1300, "calls_today": 8}
    assert portal.stat_problems({"calls_total": "1.300", "calls_today": " 8 "}, expected) == []
    assert portal.stat_problems({"calls_total": "301"}, expected) == [
        "stat card calls_total shows '301', the database counts 1300",
        "stat card calls_today missing (data-stat='calls_today')",
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
    assert portal.chart_problems(None, {}) == ["no chart element on the page"]
    assert portal.chart_problems({**drawn, "width": 0}, {}) == [
        "the chart has no visible size (0x220 px)"
    ]
    empty = {**drawn, "drawn": 0, "bars": [["2026-11-25", "0"]]}
    assert portal.chart_problems(empty, {"2026-11-25": 8}) == [
        "the chart draws nothing, the database has 8 calls in its days",
        "the bar for 2026-11-25 says 0, the database counts 8",
    ]


def test_activity_problems():
    entries = [("call", 5), ("appointment", 7)]
    owned = {"call": {5}, "appointment": {7}}
    assert portal.activity_problems(entries, owned, latest_call=5) == []
    assert portal.activity_problems([], owned, 5) == ["no recent activity entries shown"]
    assert portal.activity_problems(entries, {"call": {5}}, latest_call=6) == [
        "appointment 7 is not the tenant's (another company's or missing)",
        "the latest call (6) is not among the recent activity",
    ]


class FakeDb:
    def __init__(self, rows: list[Row]) -> None:
        self.rows, self.seen = rows, list[tuple[str, Sequence[object]]]()

    def __call__(self, sql: str, args: Sequence[object] = ()) -> list[Row]:
        self.seen.append((sql, args))
        return self.rows


def test_call_count_scopes_by_company_status_and_inclusive_days():
    db = FakeDb([{"n": 13}])
    count = portal.call_count(db, 1, status="missed", start=date(2026, 11, 1),
                              end=date(2026, 11, 3))
    assert count == 13
    sql, args = db.seen[0]
    assert "company_id = %s AND status = %s AND created_at >= %s AND created_at < %s" in sql
    assert list(args) == [1, "missed", date(2026, 11, 1), date(2026, 11, 4)]


def test_first_with_transcript_keeps_page_order():
    assert portal.first_with_transcript(FakeDb([{"id": 9}, {"id": 4}]), 1, [7, 4, 9]) == 4
    assert portal.first_with_transcript(FakeDb([]), 1, []) is None


def test_company_of_user():
    assert portal.company_of(FakeDb([{"company_id": 2}]), "a@example.test") == 2
    assert portal.company_of(FakeDb([{"company_id": None}]), "admin@example.test") is None
