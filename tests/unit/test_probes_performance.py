from pathlib import Path

import pytest

from staging_gate.probes import performance
from staging_gate.probes.performance import (
    BudgetRule,
    QueryObservation,
    RequestStats,
    count_table_rows,
    judge,
    judge_all,
    judge_query_growth,
    p95_chart_svg,
    parse_failures_csv,
    parse_stats_csv,
    percentile,
    read_timings,
    with_errors,
    with_exact_p95,
)

API = BudgetRule("api", 500, ("/api/portal/calls", "/api/portal/stats"), subpaths=True)
PORTAL = BudgetRule("portal_dashboard", 3000, ("/portal",))

STATS_CSV = """\
Type,Name,Request Count,Failure Count,Median Response Time,95%,99%
GET,/,11,0,5,27,27
GET,/api/portal/calls,40,0,6,500,520
GET,/api/portal/calls/[id],12,1,6,8,8
POST,/portal/login,3,0,80,N/A,84
,Aggregated,66,1,6,60,500
"""


def stats(name: str, p95: float, requests: int = 10, failures: int = 0) -> RequestStats:
    return RequestStats("GET", name, requests, failures, p95)


def test_nearest_rank_percentile():
    assert percentile([float(n) for n in range(1, 101)]) == 95.0
    assert percentile([10.0, 2000.0]) == 2000.0
    assert percentile([7.0]) == 7.0
    with pytest.raises(ValueError):
        percentile([])


def test_stats_csv_rows_without_the_aggregate():
    rows = parse_stats_csv(STATS_CSV)
    assert [r.label for r in rows] == [
        "GET /", "GET /api/portal/calls", "GET /api/portal/calls/[id]", "POST /portal/login"]
    assert rows[1] == RequestStats("GET", "/api/portal/calls", 40, 0, 500.0)
    assert rows[3].p95_ms == 0.0


def test_exact_timings_replace_locusts_bucketed_p95(tmp_path: Path):
    timings = tmp_path / "timings.json"
    timings.write_text('{"GET /api/portal/calls": [' + ", ".join(["5"] * 37 + ["511", "520", "530"])
                       + "]}", encoding="utf-8")
    rows = with_exact_p95(parse_stats_csv(STATS_CSV), read_timings(timings))
    calls = next(r for r in rows if r.name == "/api/portal/calls")
    assert (calls.p95_ms, calls.exact) == (511.0, True)
    assert judge(rows, API, 0.5) == [
        "p95 of GET /api/portal/calls was 511 ms, budget 500 ms (40 requests)"]
    assert read_timings(tmp_path / "missing.json") == {}


def test_rules_cover_exact_paths_and_api_subpaths():
    assert API.covers("/api/portal/calls/[id]") and API.covers("/api/portal/stats")
    assert not API.covers("/api/portal/callsX")
    assert PORTAL.covers("/portal") and not PORTAL.covers("/portal/login")
    assert BudgetRule.from_json(API.to_json()) == API


def test_budget_problems_name_request_p95_and_failures():
    seen = [stats("/api/portal/calls", 812.4), stats("/api/portal/calls/[id]", 20, 50, 2),
            stats("/portal", 40)]
    assert judge(seen, API, 0.01) == [
        "p95 of GET /api/portal/calls was 812 ms, budget 500 ms (10 requests)",
        "GET /api/portal/calls/[id] failed 2 of 50 requests (4.0%), allowed 1.0%",
    ]
    assert judge_all(seen, [API, PORTAL], 0.01)["portal_dashboard"] == []


def test_a_budget_nobody_requested_is_a_problem_not_a_pass():
    problems = judge([stats("/", 5)], PORTAL, 0.01)
    assert problems == ["no request to /portal was made under load (portal dashboard not measured)"]
    assert judge([stats("/portal", 5, requests=0)], PORTAL, 0.01) == problems


def test_table_rows_count_body_rows_only():
    html = ("<table><thead><tr><th>x</th></tr></thead><tbody><tr data-id='1'><td>1</td></tr>"
            "<tr data-id='2'></tr></tbody></table><table><tbody><TR>3</TR></tbody></table>")
    assert count_table_rows(html) == 3
    assert count_table_rows("<p>nothing</p>") == 0


def test_query_count_growing_with_rows_is_n_plus_one():
    full, empty = QueryObservation("/c?page=1", 25, 29), QueryObservation("/c?page=9", 0, 4)
    assert judge_query_growth(full, empty, 30) == [
        "N+1 queries: /c?page=1 ran 29 queries for 25 rows, /c?page=9 4 for 0 rows "
        "(+25 queries for +25 rows)"]


def test_flat_query_count_passes_and_a_session_write_is_tolerated():
    assert judge_query_growth(QueryObservation("/a", 25, 5), QueryObservation("/b", 0, 4), 30) == []


def test_query_budget_and_indistinguishable_pages_are_problems():
    same = QueryObservation("/a", 25, 40), QueryObservation("/b", 25, 40)
    problems = judge_query_growth(*same, 30)
    assert problems[0] == "/a ran 40 queries, budget 30 per page"
    assert problems[-1].startswith("cannot tell N+1")


def test_chart_marks_requests_over_budget():
    svg = p95_chart_svg([stats("/api/portal/calls", 812), stats("/<x>", 5)], [API])
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "#d9534f" in svg and "/&lt;x&gt;" in svg


def test_failures_name_their_most_frequent_error():
    failures = parse_failures_csv(
        "Method,Name,Error,Occurrences\n"
        "GET,/admin,HTTPError('500 Server Error: Internal Server Error'),11\n"
        "GET,/admin,ConnectionError('reset'),1\n")
    seen = with_errors([stats("/admin", 5, requests=12, failures=12)], failures)
    admin = BudgetRule("admin_dashboard", 3000, ("/admin",))
    assert judge(seen, admin, 0.01) == [
        "GET /admin failed 12 of 12 requests (100.0%), allowed 1.0%: "
        "HTTPError('500 Server Error: Internal Server Error')"]


@pytest.mark.parametrize(
    ("raw", "readable"),
    [
        ("LocustBadStatusCode(code=500)", "HTTP 500 Internal Server Error"),
        ("BadStatusCode(code=419)", "HTTP 419 Page Expired"),
        ("LocustBadStatusCode(code=599)", "HTTP 599"),
        ("500 Server Error: Internal Server Error for url: /admin",
         "500 Server Error: Internal Server Error for url: /admin"),
        ("ConnectionRefusedError(111, 'Connection refused')",
         "ConnectionRefusedError(111, 'Connection refused')"),
    ],
)
def test_locust_errors_read_as_http_statuses(raw: str, readable: str) -> None:
    assert performance.readable_error(raw) == readable
