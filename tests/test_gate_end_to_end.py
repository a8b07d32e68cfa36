"""The whole gate on the reference target: GO when healthy, NO-GO naming the failing check
when a defect is seeded, partial failure when a backend is down, flags always restored."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from staging_gate.profile import PHASES
from staging_gate.run import reference
from tests.matrix.harness import run_checks, seeded


def gate(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "staging_gate", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
        check=False,
    )


def flag_state(target: reference.ReferenceTarget, flag: str) -> str:
    argv = reference.reference_command(target.state_dir, "flag", flag)
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def healthy(reference_target: reference.ReferenceTarget) -> reference.ReferenceTarget:
    reference.defect(reference_target.state_dir, "reset")
    return reference_target


def test_demo_on_the_healthy_reference_target_is_go(tmp_path: Path) -> None:
    out = tmp_path / "out"
    # Under pytest-xdist tmp_path is deep; MariaDB's socket path must stay under 108 bytes.
    state_dir = Path(tempfile.mkdtemp(prefix="sg-demo-", dir="/tmp"))
    try:
        result = gate("demo", "--out", str(out), "--state-dir", str(state_dir / "rt"))
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    signoff = json.loads((out / "signoff.json").read_text(encoding="utf-8"))
    assert signoff["verdict"] == "GO"
    for phase in PHASES:
        assert signoff["phases"][phase]["status"] == "passed", signoff["phases"][phase]
        assert signoff["phases"][phase]["passed"] > 0
    first_line = (out / "signoff.md").read_text(encoding="utf-8").splitlines()[0]
    assert "GO" in first_line and "NO-GO" not in first_line, first_line
    assert (out / "report" / "index.html").is_file()
    assert "Verdict: GO" in result.stdout
    assert "reference target stopped" in result.stderr, "demo left the target up"


def test_seeded_defect_gives_no_go_naming_the_check_first(
    healthy: reference.ReferenceTarget, tmp_path: Path
) -> None:
    with seeded(healthy.state_dir, "staging_header_missing"):
        result = gate(
            "run",
            "--profile",
            str(healthy.profile_path),
            "--phase",
            "infra",
            "--out",
            str(tmp_path),
            env=healthy.secrets,
        )
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    signoff = json.loads((tmp_path / "signoff.json").read_text(encoding="utf-8"))
    assert signoff["verdict"] == "NO-GO"
    assert signoff["partial"] is True
    markdown = (tmp_path / "signoff.md").read_text(encoding="utf-8")
    first_check = next(line for line in markdown.splitlines() if "P1." in line)
    assert "P1.3" in first_check and "staging marker" in first_check.lower()


def test_unreachable_database_fails_only_the_checks_that_need_it(
    healthy: reference.ReferenceTarget, tmp_path: Path
) -> None:
    with seeded(healthy.state_dir, "db_down"):
        outcomes = run_checks(
            healthy.profile_path,
            healthy.secrets,
            tmp_path / "db-down.xml",
            extra=["--phase", "infra", "--phase", "database"],
        )
    flat = [o for results in outcomes.values() for o in results]
    database_checks = [o for o in flat if o.name.startswith(("test_P1_5", "test_P2_"))]
    assert database_checks and all(o.status in ("failed", "error") for o in database_checks)
    assert all("database unreachable at 127.0.0.1:" in o.message for o in database_checks[:1])
    tls_checks = [o for o in flat if o.name.startswith("test_P1_2")]
    assert tls_checks and all(o.status == "passed" for o in tls_checks), tls_checks


def test_flag_restored_after_a_failing_flag_check(
    healthy: reference.ReferenceTarget, tmp_path: Path
) -> None:
    assert flag_state(healthy, "customer_portal") == "true"
    with seeded(healthy.state_dir, "flag_off_route_200"):
        outcomes = run_checks(
            healthy.profile_path,
            healthy.secrets,
            tmp_path / "flag.xml",
            checks=["test_P3_4_portal_paths_404_when_flag_off"],
        )
    statuses = {o.status for results in outcomes.values() for o in results}
    assert "failed" in statuses, outcomes
    assert flag_state(healthy, "customer_portal") == "true", "the gate left the portal flag off"


def set_flag(target: reference.ReferenceTarget, flag: str, value: str) -> None:
    argv = reference.reference_command(target.state_dir, "flag", flag, value)
    subprocess.run(argv, capture_output=True, text=True, check=True)


def test_portal_flag_off_at_start_is_switched_on_for_the_run_and_left_off(
    healthy: reference.ReferenceTarget, tmp_path: Path
) -> None:
    """A release that ships dark: the gate logs its tenants in with the flag switched on,
    checks the flag-off behaviour with those sessions, and leaves the flag off as found."""
    set_flag(healthy, "customer_portal", "false")
    try:
        result = gate(
            "run", "--profile", str(healthy.profile_path), "--out", str(tmp_path),
            "--check", "P3.4", "--check", "P3.6", "--check", "P5.1",
            "--check", "P5.6", "--check", "P6.5",
            env=healthy.secrets,
        )
        after = flag_state(healthy, "customer_portal")
    finally:
        set_flag(healthy, "customer_portal", "true")
    signoff = json.loads((tmp_path / "signoff.json").read_text(encoding="utf-8"))
    ran = {phase: signoff["phases"][phase] for phase in ("boot", "security",
                                                          "performance")}
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert all(p["status"] == "passed" and p["passed"] > 0 for p in ran.values()), ran
    assert "off at start, switched on for the run" in result.stdout
    assert after == "false", "the gate left the portal flag on (it was off at the start)"
