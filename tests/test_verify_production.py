"""verify-production on the reference target switched into production (`production_mode`): GO
when healthy, NO-GO naming the production defect, refused (exit 2, one line) for a profile
that could change production; and the pilot list put back after a failed pilot check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from staging_gate.run import reference
from tests.matrix.harness import run_checks, seeded

PILOT_CHECK = "test_P5_6_pilot_list_limits_portal_to_pilot_companies"


def verify(profile: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "staging_gate", "verify-production", "--profile", str(profile),
         "--out", str(out)],
        capture_output=True, text=True, timeout=600, env=dict(os.environ), check=False,
    )


@pytest.fixture
def production(reference_target: reference.ReferenceTarget) -> reference.ReferenceTarget:
    reference.defect(reference_target.state_dir, "reset")
    reference.render_production_profile(reference_target)
    return reference_target


def production_profile(target: reference.ReferenceTarget) -> Path:
    return target.state_dir / "production-profile.toml"


def test_production_mode_is_go(production: reference.ReferenceTarget, tmp_path: Path) -> None:
    with seeded(production.state_dir, "production_mode"):
        result = verify(production_profile(production), tmp_path / "out")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    signoff = json.loads((tmp_path / "out" / "signoff.json").read_text(encoding="utf-8"))
    assert signoff["verdict"] == "GO"
    assert signoff["phases"]["production"]["passed"] == 9, signoff["phases"]
    assert list(signoff["phases"]) == ["production"]
    first = (tmp_path / "out" / "signoff.md").read_text(encoding="utf-8").splitlines()[0]
    assert "GO — production verification" in first, first


def test_flag_left_on_is_no_go_naming_it(
    production: reference.ReferenceTarget, tmp_path: Path
) -> None:
    with seeded(production.state_dir, "production_mode", "prod_flag_left_on"):
        result = verify(production_profile(production), tmp_path / "out")
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    signoff = json.loads((tmp_path / "out" / "signoff.json").read_text(encoding="utf-8"))
    assert signoff["verdict"] == "NO-GO"
    assert signoff["reasons"][0].startswith("PV.5 portal answers like a missing page failed")
    assert "customer_portal must be off on production" in signoff["reasons"][0]


def test_a_profile_that_could_change_production_is_refused(
    production: reference.ReferenceTarget, tmp_path: Path
) -> None:
    result = verify(production.profile_path, tmp_path / "out")  # the staging profile
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "refuses profile" in lines[0] and "flags.toggle_command" in lines[0]
    assert not (tmp_path / "out" / "allure-results").exists(), "it ran something"


def pilot_list(target: reference.ReferenceTarget) -> str:
    argv = reference.reference_command(target.state_dir, "flag", "customer_portal_test_companies")
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()


def set_pilot_list(target: reference.ReferenceTarget, value: str) -> None:
    argv = reference.reference_command(target.state_dir, "flag",
                                       "customer_portal_test_companies", value)
    subprocess.run(argv, capture_output=True, text=True, check=True)


def test_pilot_list_restored_after_the_pilot_check_fails(
    production: reference.ReferenceTarget, tmp_path: Path
) -> None:
    set_pilot_list(production, "3")  # a list the check must put back, not just empty
    try:
        with seeded(production.state_dir, "pilot_list_ignored"):
            outcomes = run_checks(production.profile_path, production.secrets,
                                  tmp_path / "pilot.xml", [PILOT_CHECK])
        (outcome,) = outcomes[PILOT_CHECK]
        assert outcome.status == "failed", outcome
        assert "non-pilot user" in outcome.message
        assert pilot_list(production) == "3"
    finally:
        set_pilot_list(production, "")
