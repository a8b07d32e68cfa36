"""The single-file HTML report, rendered by Allure 3 and read in a real headless Chromium."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from staging_gate.checklist import PHASE_TITLES
from staging_gate.profile import SignoffSection
from staging_gate.verdict import allure_meta, report
from staging_gate.verdict.signoff import compute_signoff, write_signoff
from tests.allure_factory import write_healthy_phase, write_result

needs_node = pytest.mark.skipif(
    report.find_node() is None, reason="node is not installed: the HTML report needs Node 20+"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def gate_output(out: Path) -> Path:
    """An ``out/`` folder as the CLI leaves it: results with metadata, signoff.json/.md."""
    results = out / "allure-results"
    for prefix in ("P1", "P2", "P3", "P4", "P5", "P6", "P7"):
        write_healthy_phase(results, prefix)
    write_result(
        results, "P5.4", "failed", what="hsts", message="Strict-Transport-Security missing"
    )
    write_result(results, "P3.2", "failed", what="routes", history_id="r", message="timeout")
    write_result(results, "P3.2", "passed", what="routes", history_id="r")
    allure_meta.write_environment(results, {"Target": "https://staging.example.test"})
    allure_meta.write_executor(results)
    allure_meta.write_categories(results)
    config = SignoffSection(required_phases=("infra", "database", "boot", "security"))
    write_signoff(compute_signoff(results, config), out)
    return results


@pytest.fixture(scope="module")
def chromium_page() -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        yield page
        browser.close()


@needs_node
def test_report_opens_offline_with_signoff_first_and_every_phase(
    tmp_path: Path, chromium_page: Page, record_property: Callable[[str, object], None]
) -> None:
    results = gate_output(tmp_path / "out")

    index = report.render_report(results, tmp_path / "out" / "report")

    assert index is not None and index.name == "index.html"
    chromium_page.route("http*://**", lambda route: route.abort())  # offline: no fetches
    chromium_page.goto(index.as_uri())
    panel = chromium_page.locator("#staging-gate-signoff")
    panel.wait_for(state="visible")
    box = panel.bounding_box()
    assert box is not None and box["y"] == 0, "the sign-off must be the first thing on the page"
    assert panel.locator(".verdict").inner_text() == "NO-GO"
    assert "P5.4 test_P5_4_hsts failed" in panel.inner_text()
    assert "Strict-Transport-Security missing" in panel.inner_text()
    assert "P3.2 test_P3_2_routes: passed on retry" in panel.inner_text()
    allure_tree = chromium_page.locator("#app")  # Allure 3's own page, below the panel
    for title in PHASE_TITLES.values():
        assert panel.get_by_text(title, exact=True).is_visible(), title
        allure_tree.get_by_text(title, exact=True).first.wait_for(state="visible")
    screenshot = tmp_path / "report-signoff.png"
    chromium_page.screenshot(path=screenshot)
    record_property("screenshot", str(screenshot))
    print(f"report screenshot: {screenshot}")


@needs_node
def test_history_is_carried_into_the_next_report(tmp_path: Path) -> None:
    results = gate_output(tmp_path / "out")
    first = report.render_report(results, tmp_path / "out" / "report")
    assert first is not None
    history = tmp_path / "out" / "report-history.jsonl"
    previous = tmp_path / "previous-history.jsonl"
    previous.write_bytes(history.read_bytes())

    second = report.render_report(results, tmp_path / "next" / "report", history=previous)

    assert second is not None
    points = (tmp_path / "next" / "report-history.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(points) == 2
    assert all("testResults" in json.loads(point) for point in points)


def test_report_is_skipped_with_none_when_allure_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    results = gate_output(tmp_path / "out")
    monkeypatch.setattr(report, "ALLURE_CLI", tmp_path / "no-allure" / "cli.js")

    assert report.render_report(results, tmp_path / "out" / "report") is None
    assert "HTML report skipped" in caplog.text


@needs_node
def test_gate_load_figures_ride_along_in_the_report_history(tmp_path: Path) -> None:
    """Allure keeps the gate's `stagingGate` figures, and reads a line the gate wrote alone."""
    from staging_gate.probes.load_baseline import RunFigures, trend_svg
    from staging_gate.verdict import run_history

    api = "GET /api/portal/calls"
    results = gate_output(tmp_path / "out")
    first = report.render_report(results, tmp_path / "out" / "report",
                                 trend=trend_svg([], {api: 12.0}))
    assert first is not None and "Load: p95 per request" in first.read_text(encoding="utf-8")
    history = tmp_path / "out" / "report-history.jsonl"
    run_history.record_run(history, RunFigures("GO", "t1", {api: 12.0}), previous=None,
                           allure_appended=True)
    run_history.record_run(history, RunFigures("GO", "t2", {api: 13.0}), previous=None,
                           allure_appended=False)  # as after a run without Node

    second = report.render_report(results, tmp_path / "next" / "report", history=history)

    assert second is not None
    carried = run_history.read_runs(tmp_path / "next" / "report-history.jsonl")
    assert [run.p95_ms[api] for run in carried] == [12.0, 13.0]
