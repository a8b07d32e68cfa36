"""p95 against earlier GO runs, the run history in report-history.jsonl, the trend chart."""

import json

import pytest

from staging_gate.probes.load_baseline import (
    Baseline,
    RunFigures,
    Slowdown,
    baseline,
    figures_of,
    slowdowns,
    trend_svg,
)
from staging_gate.probes.performance import RequestStats
from staging_gate.verdict import run_history

API = "GET /api/portal/calls"


def runs(*figures: tuple[str, float | None]) -> list[RunFigures]:
    return [RunFigures(verdict, f"2026-11-{i + 1:02d}T00:00:00+00:00",
                       {} if p95 is None else {API: p95})
            for i, (verdict, p95) in enumerate(figures)]


def api(p95: float, exact: bool = True, requests: int = 50) -> RequestStats:
    return RequestStats("GET", "/api/portal/calls", requests, 0, p95, exact=exact)


def judged(stats: list[RequestStats], history: list[RunFigures]) -> list[Slowdown]:
    return slowdowns(stats, history, factor=1.5, min_slowdown_ms=50.0, runs=5)


def test_the_baseline_is_the_median_of_the_last_go_runs_only():
    history = runs(("GO", 900.0), ("GO", 100.0), ("NO-GO", 5000.0), ("GO", 120.0),
                   ("GO", 110.0), ("GO", None))
    assert baseline(history, API, runs=3) == Baseline(110.0, 3)   # 100, 120, 110
    assert baseline(history, API, runs=10) == Baseline(115.0, 4)  # 900: one sample of four
    assert baseline(history, "GET /other", runs=3) is None


def test_a_slowdown_beyond_factor_and_minimum_difference_is_reported():
    history = runs(("GO", 100.0), ("GO", 110.0), ("GO", 90.0))
    (found,) = judged([api(400.0)], history)
    assert found.describe() == ("p95 of GET /api/portal/calls was 400 ms, 4.0× its baseline "
                                "100 ms (median of the last 3 GO runs); allowed ×1.5")


@pytest.mark.parametrize("p95, history, why", [
    (140.0, runs(("GO", 100.0)), "within ×1.5"),
    (12.0, runs(("GO", 5.0)), "×2.4 but only 7 ms: noise"),
    (400.0, runs(("NO-GO", 100.0)), "no GO run: no baseline"),
    (400.0, [], "no history yet"),
])
def test_no_slowdown_without_a_real_difference_or_a_baseline(p95, history, why):
    assert judged([api(p95)], history) == [], why


def test_bucketed_or_unmeasured_requests_are_not_judged():
    history = runs(("GO", 100.0))
    assert judged([api(400.0, exact=False), api(400.0, requests=0)], history) == []


def test_figures_keep_only_exact_measured_requests():
    stats = [api(12.5), RequestStats("GET", "/", 3, 0, 40.0), api(9.0, requests=0)]
    assert figures_of(stats) == {API: 12.5}


def test_trend_chart_draws_each_request_over_the_runs():
    history = runs(("GO", 100.0), ("NO-GO", 300.0))
    svg = trend_svg(history, {API: 150.0, "GET /": 20.0})
    assert svg.startswith("<svg") and "over the last 3 runs" in svg
    assert "GET /api/portal/calls" in svg and "<polyline" in svg and ">150<" in svg
    assert trend_svg(history, {}) == ""
    assert "last 2 runs" in trend_svg(history, {API: 1.0}, last=2)


# --- the history file -------------------------------------------------------------------------

ALLURE_LINE = {"uuid": "u1", "name": "r", "timestamp": 1, "knownTestCaseIds": [],
               "testResults": {"h": {"status": "passed"}}, "metrics": {}, "url": ""}


def this_run(p95: float = 123.0, verdict: str = "GO") -> RunFigures:
    return RunFigures(verdict, "2026-11-30T00:00:00+00:00", {API: p95})


def test_figures_join_the_line_allure_just_appended(tmp_path):
    history = tmp_path / "report-history.jsonl"
    history.write_text(json.dumps({**ALLURE_LINE, "uuid": "old"}) + "\n"
                       + json.dumps(ALLURE_LINE) + "\n", encoding="utf-8")
    run_history.record_run(history, this_run(), previous=None, allure_appended=True)
    lines = [json.loads(line) for line in history.read_text().splitlines()]
    assert len(lines) == 2 and "stagingGate" not in lines[0]
    assert lines[1]["testResults"] == ALLURE_LINE["testResults"]  # Allure's data untouched
    assert run_history.read_runs(history) == [this_run()]


def test_without_allure_the_previous_history_is_carried_and_a_line_appended(tmp_path):
    previous = tmp_path / "prev.jsonl"
    previous.write_text(json.dumps({**ALLURE_LINE, "stagingGate": this_run(100.0).to_json()})
                        + "\nnot json\n", encoding="utf-8")
    history = tmp_path / "out" / "report-history.jsonl"
    run_history.record_run(history, this_run(300.0, "NO-GO"), previous=previous,
                           allure_appended=False)
    assert [r.p95_ms[API] for r in run_history.read_runs(history)] == [100.0, 300.0]
    last = json.loads(history.read_text().splitlines()[-1])
    assert last["testResults"] == {} and "timestamp" in last  # Allure can read it next time


def test_a_missing_history_is_empty(tmp_path):
    assert run_history.read_runs(None) == []
    assert run_history.read_runs(tmp_path / "none.jsonl") == []
    assert run_history.read_figures(tmp_path / "none.json") == {}
    run_history.write_figures(tmp_path / "f.json", {API: 1.5})
    assert run_history.read_figures(tmp_path / "f.json") == {API: 1.5}
