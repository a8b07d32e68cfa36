"""The run-start log mark (fixtures/logs.py) seen from a user's pytest run (pytester)."""

from __future__ import annotations

import pytest

from tests.profile_factory import SECRETS, write_profile

CHECKS = """
from pathlib import Path

LOG = Path({log!r})


def test_P7_4_reads_the_log_since_the_run_started(log_mark):
    assert log_mark is not None and log_mark.offset == len("before the run\\n")
    assert LOG.read_text().endswith("written by P1.1\\n")  # it ran after the other check


def test_P1_1_writes_to_the_log():
    with LOG.open("a") as handle:
        handle.write("written by P1.1\\n")
"""


def test_log_mark_is_taken_before_any_check_and_its_readers_run_last(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    log = pytester.path / "laravel.log"
    log.write_text("before the run\n")
    write_profile(pytester.path, extra=f'\n[logs]\npath = "{log}"\n')
    pytester.makeconftest('pytest_plugins = ["fixtures.target", "fixtures.logs"]\n')
    pytester.mkpydir("suites")
    (pytester.path / "suites" / "test_checks.py").write_text(CHECKS.format(log=str(log)))
    result = pytester.runpytest("-p", "no:playwright", "-p", "no:randomly", "-v",
                                "--profile", "profile.toml")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*test_P1_1_writes_to_the_log PASSED*",
                                 "*test_P7_4_reads_the_log_since_the_run_started PASSED*"])
