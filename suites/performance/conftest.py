"""Phase 6 wiring: one Locust run per session, shared by the P6.1–P6.4 budget checks."""

from dataclasses import asdict

import pytest

from staging_gate import guard, load
from staging_gate.evidence import attach_html_file, attach_json, attach_svg, attach_text
from staging_gate.probes.performance import p95_chart_svg


@pytest.fixture(scope="session")
def load_run(target, tmp_path_factory) -> load.LoadResult:
    """The profile's load shape against its base URL, once; the report attached as evidence."""
    guard.require_staging(target.fingerprint, "load test")
    try:
        result = load.run(target.profile, tmp_path_factory.mktemp("locust"))
    except load.LoadRunFailed as error:
        pytest.fail(f"load test could not run: {error}", pytrace=False)
    shape = target.profile.budgets.load
    attach_text("load shape", f"{shape.users} users, spawn rate {shape.spawn_rate:g}/s, "
                f"{shape.duration_seconds} s against {target.base_url}\n"
                + " ".join(result.command))
    attach_svg("p95 per request", p95_chart_svg(result.stats, result.rules))
    attach_json("locust statistics (p95 exact)", [asdict(s) for s in result.stats])
    attach_html_file("locust report", str(result.files.html))
    return result
