"""The pytest plugin seen from a user's pytest run (pytester)."""

from __future__ import annotations

import json

import pytest

from tests.profile_factory import SECRETS, write_profile

CHECKS = """
import pytest
from staging_gate.errors import GuardRefusal

def test_P1_2_certificate_chain_verifies():
    '''TLS chain verifies.'''

def test_P5_3_csrf_token_required():
    pass

@pytest.mark.exclusive
def test_P3_5_flag_can_be_enabled():
    raise GuardRefusal("Refused by production guard: toggling needs staging; host is production")

@pytest.fixture
def calls_rows():
    from staging_gate import expect
    expect.unverified("[portal.calls].row_selector matched nothing on /portal/calls",
                      "set it to the selector of one call row")

def test_P4_1_calls_list_loads(calls_rows):
    pass
"""


@pytest.fixture
def gate(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    write_profile(pytester.path)
    pytester.mkpydir("suites")
    (pytester.path / "suites" / "test_checks.py").write_text(CHECKS, encoding="utf-8")
    return pytester


def run(gate: pytest.Pytester, *args: str) -> pytest.RunResult:
    # pytest-playwright's soft-assertion scope cannot nest inside this test run's own.
    return gate.runpytest("-p", "no:playwright", *args)


def test_phase_markers_are_registered_and_select(gate: pytest.Pytester) -> None:
    result = run(gate, "--profile", "profile.toml", "--strict-markers", "-m", "security")
    result.assert_outcomes(passed=1, deselected=3)


def test_phase_option_selects_by_checklist_phase(gate: pytest.Pytester) -> None:
    result = run(gate, "--profile", "profile.toml", "--phase", "infra,security")
    result.assert_outcomes(passed=2, deselected=2)


def test_unknown_phase_is_a_usage_error(gate: pytest.Pytester) -> None:
    result = run(gate, "--profile", "profile.toml", "--phase", "infrastructure")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown phase infrastructure*"])


def test_check_option_selects_by_id_or_name(gate: pytest.Pytester) -> None:
    by_id = run(gate, "--profile", "profile.toml", "--check", "P5.3")
    by_id.assert_outcomes(passed=1, deselected=3)
    by_name = run(
        gate, "--profile", "profile.toml", "--check", "test_P1_2_certificate_chain_verifies"
    )
    by_name.assert_outcomes(passed=1, deselected=3)


def test_ini_twin_selects_like_the_option(gate: pytest.Pytester) -> None:
    gate.makeini("[pytest]\nstaging_gate_profile = profile.toml\nstaging_gate_phases = security\n")
    run(gate).assert_outcomes(passed=1, deselected=3)


def test_stages_split_exclusive_checks(gate: pytest.Pytester) -> None:
    parallel = run(gate, "--profile", "profile.toml", "--stage", "parallel")
    parallel.assert_outcomes(passed=2, skipped=1, deselected=1)
    exclusive = run(gate, "--profile", "profile.toml", "--stage", "exclusive")
    exclusive.assert_outcomes(skipped=1, deselected=3)


def test_guard_refusal_is_reported_as_refused_not_passed(gate: pytest.Pytester) -> None:
    # Without the gate's own guard fixture (registered by the plugin), which would fingerprint
    # the unreachable target first: this is about the check's own refusal.
    result = run(gate, "--profile", "profile.toml", "-rs", "--check", "P3.5",
                 "-p", "no:fixtures.target")
    result.assert_outcomes(skipped=1, deselected=3)
    result.stdout.fnmatch_lines(["*Refused by production guard*"])


def test_could_not_verify_is_a_labelled_skip_naming_the_fix(gate: pytest.Pytester) -> None:
    results_dir = gate.path / "allure-results"
    gate.runpytest_subprocess(
        "--profile", "profile.toml", "--check", "P4.1", "--alluredir", str(results_dir)
    )
    (path,) = results_dir.glob("*-result.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["status"] == "skipped"
    assert data["statusDetails"]["message"].startswith(
        "Skipped: Could not verify: [portal.calls].row_selector matched nothing"
    )
    assert "fix: set it to the selector" in data["statusDetails"]["message"]
    assert {"name": "verification", "value": "unverified"} in data["labels"]


def test_allure_labels_read_as_the_checklist(gate: pytest.Pytester) -> None:
    results_dir = gate.path / "allure-results"
    gate.runpytest_subprocess("--profile", "profile.toml", "--alluredir", str(results_dir))
    by_name = {}
    for path in results_dir.glob("*-result.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        by_name[data["fullName"].rsplit("#", 1)[-1]] = data
    chain = by_name["test_P1_2_certificate_chain_verifies"]
    labels = {label["name"]: label["value"] for label in chain["labels"]}
    assert labels["epic"] == "Phase 1: Infrastructure Validation"
    assert labels["story"] == "P1.2 SSL certificate valid"
    assert labels["checklist"] == "P1.2"
    assert labels["phase"] == "infra"
    assert labels["severity"] == "blocker"
    assert chain["name"] == "P1.2 certificate chain verifies"
    refused = by_name["test_P3_5_flag_can_be_enabled"]
    assert refused["status"] == "skipped"
    assert "Refused by production guard" in refused["statusDetails"]["message"]
    assert {"name": "guard", "value": "refused"} in refused["labels"]


def test_checks_must_carry_their_checklist_id(gate: pytest.Pytester) -> None:
    (gate.path / "suites" / "test_unnamed.py").write_text("def test_tls():\n    pass\n")
    result = run(gate, "--profile", "profile.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*must be named test_P<phase>_<item>_<what>*test_tls*"])


def test_checks_need_a_profile(gate: pytest.Pytester) -> None:
    result = run(gate)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*need a target profile: pass --profile FILE*"])


def test_bad_profile_is_one_usage_error_line(gate: pytest.Pytester) -> None:
    (gate.path / "bad.toml").write_text("[target]\nbase_url = 'x'\n")
    result = run(gate, "--profile", "bad.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*invalid profile bad.toml*"])


def test_target_url_override_is_used(gate: pytest.Pytester) -> None:
    (gate.path / "suites" / "test_url.py").write_text(
        "def test_P1_1_url(profile):\n"
        "    assert profile.target.base_url == 'https://override.example.test'\n"
    )
    gate.makeconftest("pytest_plugins = ['fixtures.target']\n")
    result = run(
        gate,
        "--profile",
        "profile.toml",
        "--target-url",
        "https://override.example.test",
        "--check",
        "P1.1",
    )
    result.assert_outcomes(passed=1, deselected=4)


def test_exclusive_checks_refuse_to_share_the_target_with_workers(gate: pytest.Pytester) -> None:
    result = gate.runpytest_subprocess(
        "--profile", "profile.toml", "-n", "2", "-p", "no:playwright", "-rs"
    )
    result.assert_outcomes(passed=2, skipped=2)
    result.stdout.fnmatch_lines(["*Refused by production guard: this check changes the target*"])
    parallel = gate.runpytest_subprocess(
        "--profile", "profile.toml", "-n", "2", "--stage", "parallel", "-p", "no:playwright"
    )
    parallel.assert_outcomes(passed=2, skipped=1)
