"""The GitHub workflows teams copy: schema-valid, no high-severity zizmor findings, and wired
the way the gate expects (deploy -> gate -> artifacts + job summary -> fail on NO-GO)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML  # comes with check-jsonschema

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
STAGING = WORKFLOWS / "staging-validation.yml"
CI = WORKFLOWS / "ci.yml"
PRODUCTION = WORKFLOWS / "production-verification.yml"
VENV_BIN = Path(sys.executable).parent


def tool(name: str) -> str | None:
    local = VENV_BIN / name
    return str(local) if local.is_file() else shutil.which(name)


def load(path: Path) -> dict[str, Any]:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def run_steps(workflow: dict[str, Any], job: str) -> str:
    return "\n".join(step.get("run", "") for step in workflow["jobs"][job]["steps"])


def schema_check(*paths: Path) -> subprocess.CompletedProcess[str]:
    checker = tool("check-jsonschema")
    assert checker, "check-jsonschema is a dev dependency: pip install -e '.[dev]'"
    return subprocess.run(
        [checker, "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def zizmor_findings(path: Path) -> list[dict[str, Any]]:
    zizmor = tool("zizmor")
    if zizmor is None:
        pytest.skip("zizmor is not installed")
    done = subprocess.run(
        [zizmor, "--offline", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    findings = json.loads(done.stdout or "[]")
    assert isinstance(findings, list), done.stderr
    return findings


def high(findings: list[dict[str, Any]]) -> list[str]:
    return [
        f"{finding['ident']}: {finding['desc']}"
        for finding in findings
        if finding["determinations"]["severity"] == "High" and not finding.get("ignored")
    ]


def test_workflows_match_the_github_workflow_schema() -> None:
    done = schema_check(STAGING, CI, PRODUCTION)
    assert done.returncode == 0, done.stdout + done.stderr


def test_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps: 3\n")
    assert schema_check(broken).returncode != 0


def test_workflows_have_no_high_severity_zizmor_findings() -> None:
    assert high(zizmor_findings(WORKFLOWS)) == []


def test_zizmor_catches_a_template_injection(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "bad.yml").write_text(
        "on:\n  issues:\n    types: [opened]\npermissions: {}\njobs:\n  x:\n"
        "    runs-on: ubuntu-24.04\n    steps:\n"
        '      - run: echo "${{ github.event.issue.title }}"\n'
    )
    assert any("template-injection" in f for f in high(zizmor_findings(workflows)))


def test_staging_validation_runs_after_the_deploy_or_by_hand() -> None:
    workflow = load(STAGING)
    triggers = workflow["on"]

    assert triggers["workflow_run"] == {"workflows": ["Deploy to staging"], "types": ["completed"]}
    assert set(triggers["workflow_dispatch"]["inputs"]) == {"profile", "phases"}
    assert workflow["permissions"] == {"contents": "read"}
    condition = workflow["jobs"]["gate"]["if"]
    assert "conclusion == 'success'" in condition
    assert "workflow_dispatch" in condition


def test_staging_validation_publishes_signoff_and_fails_on_no_go() -> None:
    workflow = load(STAGING)
    steps = workflow["jobs"]["gate"]["steps"]
    script = run_steps(workflow, "gate")

    assert "staging-gate" in script and "run --profile" in script
    assert "--phase" in script and "--out out" in script
    assert 'cat out/signoff.md >> "$GITHUB_STEP_SUMMARY"' in script
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert (upload["with"]["path"], upload["if"]) == ("out/", "always()")
    last = steps[-1]
    assert last["name"] == "Fail on NO-GO" and "exit 1" in last["run"]


def test_ci_runs_the_project_tests() -> None:
    workflow = load(CI)

    assert workflow["permissions"] == {"contents": "read"}
    assert "bash .ci/run" in run_steps(workflow, "test")


def test_production_verification_runs_after_the_production_deploy_read_only() -> None:
    workflow = load(PRODUCTION)
    job = workflow["jobs"]["verify-production"]
    script = run_steps(workflow, "verify-production")

    assert workflow["on"]["workflow_run"] == {
        "workflows": ["Deploy to production"], "types": ["completed"]
    }
    assert workflow["permissions"] == {"contents": "read"}
    assert "conclusion == 'success'" in job["if"]
    assert 'staging-gate verify-production --profile "$PROFILE" --out out' in script
    assert " run --profile" not in script, "the staging gate must never run on production"
    assert "{{ secrets." not in PRODUCTION.read_text(encoding="utf-8"), "it needs no secrets"
    assert job["steps"][-1]["name"] == "Fail on NO-GO"


def test_ci_builds_and_installs_the_wheel() -> None:
    steps = run_steps(load(CI), "wheel")

    assert "pip wheel . --no-deps -w dist" in steps
    assert "install dist/staging_gate-*.whl" in steps
