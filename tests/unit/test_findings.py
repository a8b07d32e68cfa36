"""Typed findings: one line per kind, application findings decide the outcome."""

from __future__ import annotations

import pytest

from staging_gate import expect
from staging_gate.findings import Finding, FindingRaised, summary

DOWN = Finding("P1.7", "health says database=down", severity="blocker")
UNMEASURED = Finding("P6.5", "performance_schema is off", kind="unverified",
                     fix="SET GLOBAL performance_schema consumers")


def test_application_findings_decide_and_are_shown_first() -> None:
    raised = FindingRaised([UNMEASURED, DOWN], "GET /health")

    assert not raised.unverified
    assert str(raised) == "GET /health: health says database=down"


def test_only_unverified_findings_make_an_unverified_outcome_naming_the_fix() -> None:
    raised = FindingRaised([UNMEASURED])

    assert raised.unverified
    assert str(raised) == (
        "performance_schema is off — fix: SET GLOBAL performance_schema consumers")


def test_summary_joins_every_application_finding() -> None:
    other = Finding("P1.7", "health says cache=down")

    assert summary([DOWN, other]) == "health says database=down; health says cache=down"


def test_no_findings_passes_quietly_and_raises_with_findings() -> None:
    expect.no_findings([])
    with pytest.raises(FindingRaised) as raised:
        expect.no_findings([DOWN], "GET /health")

    assert raised.value.findings == (DOWN,)
