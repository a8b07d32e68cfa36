"""Typed findings through the plugin: Allure outcome and labels, which the sign-off reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.profile_factory import SECRETS, write_profile

CHECKS = """
from staging_gate import expect
from staging_gate.findings import Finding

def test_P1_7_health_truthful():
    expect.no_findings([Finding("P1.7", "health says database=ok, the database is down",
                                evidence={"direct probes": "database: refused"})], "GET /health")

def test_P6_5_no_n_plus_one():
    expect.no_findings([Finding("P6.5", "performance_schema is off", kind="unverified",
                                fix="enable the statement consumers")])
"""


def test_findings_become_a_failure_or_an_unverified_skip(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    write_profile(pytester.path)
    pytester.mkpydir("suites")
    (pytester.path / "suites" / "test_checks.py").write_text(CHECKS, encoding="utf-8")
    results = pytester.path / "allure-results"

    run = pytester.runpytest_subprocess("--profile", "profile.toml", "--alluredir", str(results))

    run.assert_outcomes(failed=1, skipped=1)
    by_name = {}
    for path in Path(results).glob("*-result.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        by_name[data["fullName"].rsplit("#", 1)[-1]] = data
    failed, unverified = by_name["test_P1_7_health_truthful"], by_name["test_P6_5_no_n_plus_one"]
    assert failed["status"] == "failed"
    assert failed["statusDetails"]["message"].startswith(
        "Failed: GET /health: health says database=ok")
    assert {"name": "finding", "value": "application"} in failed["labels"]
    assert [a["name"] for a in failed["attachments"]] == ["direct probes"]
    assert unverified["status"] == "skipped"
    assert {"name": "verification", "value": "unverified"} in unverified["labels"]
    assert "fix: enable the statement consumers" in unverified["statusDetails"]["message"]
