"""Phase 6 wiring: one Locust run per session, shared by the P6.1–P6.4 budget checks."""

import os
from dataclasses import asdict
from pathlib import Path

import pytest

from staging_gate.deployment import guard
from staging_gate.evidence import attach_html_file, attach_json, attach_svg, attach_text
from staging_gate.probes.load_baseline import RunFigures, figures_of
from staging_gate.probes.performance import p95_chart_svg
from staging_gate.run import load
from staging_gate.verdict import run_history


@pytest.fixture(scope="session")
def load_run(target, tmp_path_factory) -> load.LoadResult:
    """The profile's load shape against its base URL, once; the report attached as evidence.
    This run's exact p95 per request is left where `staging-gate run` keeps the history."""
    guard.require_staging(target.fingerprint, "load test")
    try:
        result = load.run(target.profile, tmp_path_factory.mktemp("locust"))
    except load.LoadRunFailed as error:
        pytest.fail(f"load test could not run: {error}", pytrace=False)
    shape = target.profile.budgets.load
    spread = (f", {shape.workers} external workers" if shape.workers
              else f", {shape.processes} processes" if shape.processes > 1 else "")
    attach_text("load shape", f"{shape.users} users, spawn rate {shape.spawn_rate:g}/s, "
                f"{shape.duration_seconds} s against {target.base_url}{spread}\n"
                + " ".join(result.command))
    attach_json("load generator CPU (% of one core, once a second)",
                [g.to_json() for g in result.generators])
    attach_svg("p95 per request", p95_chart_svg(result.stats, result.rules))
    attach_json("locust statistics (p95 exact)", [asdict(s) for s in result.stats])
    attach_html_file("locust report", str(result.files.html))
    figures_file = os.environ.get(run_history.ENV_LOAD_FIGURES)
    if figures_file and result.saturated is None:
        run_history.write_figures(Path(figures_file), figures_of(result.stats))
    return result


@pytest.fixture(scope="session")
def load_history() -> list[RunFigures]:
    """Earlier runs' figures from the report history `staging-gate run` hands over."""
    path = os.environ.get(run_history.ENV_HISTORY)
    return run_history.read_runs(Path(path) if path else None)
