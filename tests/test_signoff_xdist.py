"""Real allure-pytest output from several xdist workers and pytest-rerunfailures reruns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from staging_gate.profile import PhaseName, SignoffSection
from staging_gate.verdict.signoff import compute_signoff

pytest_plugins = ["pytester"]

# Checks labelled the way the gate's plugin labels them; P3.2 fails once, then passes.
SUITE = """
import pathlib
import allure
import pytest

PHASES = {"1": "infra", "2": "database", "3": "boot", "5": "security"}


def labelled(check_id):
    phase = PHASES[check_id[1]]
    def wrap(fn):
        for name, value in (("checklist", check_id), ("phase", phase), ("severity", "critical")):
            fn = allure.label(name, value)(fn)
        return allure.story(f"{check_id} synthetic")(fn)
    return wrap


@pytest.mark.parametrize("n", range(6))
@labelled("P1.1")
def test_P1_1_resolves(n):
    pass


@pytest.mark.parametrize("n", range(4))
@labelled("P2.3")
def test_P2_3_tables(n):
    pass


@labelled("P3.2")
def test_P3_2_routes():
    marker = pathlib.Path(__file__).with_name("attempted")
    first = not marker.exists()
    marker.touch()
    assert not first, "routes not registered yet"


@labelled("P5.4")
def test_P5_4_headers():
    assert False, "Strict-Transport-Security header missing"


def test_P3_1_boots():
    pass
"""


def test_results_from_two_xdist_workers_with_reruns(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=SUITE)
    results = pytester.path / "allure-results"

    run = pytester.runpytest_subprocess(
        "-p", "no:staging_gate", "-p", "allure_pytest", f"--alluredir={results}",
        "-n", "2", "--reruns", "1", "-p", "no:cacheprovider",
    )  # fmt: skip

    assert run.parseoutcomes() == {"passed": 12, "failed": 1, "rerun": 2}
    documents = [json.loads(p.read_text()) for p in results.glob("*-result.json")]
    threads = {
        label["value"] for d in documents for label in d["labels"] if label["name"] == "thread"
    }
    assert len(threads) == 2, f"expected results from two workers, got {threads}"
    assert len(documents) == 15  # 13 tests, two of them attempted twice

    advisory_security: tuple[PhaseName, ...] = (
        "infra", "database", "boot", "portal", "performance", "backup",
    )  # fmt: skip
    signoff = compute_signoff(
        results, SignoffSection(required_phases=advisory_security), partial=True
    )

    assert signoff.verdict == "GO", signoff.reasons  # security is advisory here
    assert signoff.phase("infra").counts.passed == 6
    assert signoff.phase("database").counts.passed == 4
    boot = signoff.phase("boot").counts
    assert (boot.passed, boot.flaky) == (1, 1)
    security = signoff.phase("security")
    assert (security.counts.failed, security.blocking) == (1, False)
    failed = signoff.checks_with("failed")[0]
    assert (failed.id, failed.attempts) == ("P5.4", 2)
    assert "Strict-Transport-Security header missing" in failed.message

    blocking = compute_signoff(
        results,
        SignoffSection(required_phases=advisory_security, flaky_blocks=True),
        partial=True,
    )
    assert blocking.verdict == "NO-GO"
    assert [r.split()[0] for r in blocking.reasons] == ["P3.2"]


def test_gate_written_results_dir_is_readable_after_a_run(pytester: pytest.Pytester) -> None:
    """An empty selection still leaves a directory the sign-off can judge (as NO-GO)."""
    pytester.makepyfile(test_empty="def helper():\n    pass\n")
    results: Path = pytester.path / "allure-results"

    pytester.runpytest_subprocess("-p", "no:staging_gate", f"--alluredir={results}")

    signoff = compute_signoff(results, SignoffSection(), partial=True)
    assert signoff.verdict == "NO-GO"
    assert signoff.reasons == ("no checks ran at all: the gate verified nothing",)
