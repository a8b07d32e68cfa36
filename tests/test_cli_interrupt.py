"""A cancelled CI job (SIGTERM) or Ctrl-C (SIGINT) mid-run: the checks' teardowns run, the
sign-off says the run was interrupted (NO-GO, the checks that did not run), exit code 2.
Real signals, sent to the gate process only (as a CI runner does)."""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from staging_gate.run import reference
from tests.profile_factory import COMPLETE_SECRETS, write_profile

# A check that holds the target "changed" until its teardown puts it back.
SLOW_CHECK = '''
import time
from pathlib import Path

import pytest

MARKERS = Path({markers!r})


@pytest.fixture
def changed_target():
    (MARKERS / "changed").write_text("flag on")
    yield
    (MARKERS / "restored").write_text("flag restored")


def test_P3_5_slow_flag_toggle(changed_target):
    time.sleep(60)
'''


@pytest.fixture
def answering_target() -> Iterator[int]:
    """Something that answers on the target's port, so the preflight lets the run start."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def wait_for(path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} did not appear within {timeout:.0f}s"
        time.sleep(0.2)


# The signal arrives during the parallel stage; the exclusive stage (flags, rollback, restore)
# runs only on a target the production guard confirms as staging — same interrupt path.
@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_interrupted_run_restores_then_signs_off_as_interrupted(
    tmp_path: Path, answering_target: int, sent: signal.Signals
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    check = tmp_path / "slow_check" / "test_slow.py"
    check.parent.mkdir()
    check.write_text(SLOW_CHECK.format(markers=str(markers)), encoding="utf-8")
    profile = write_profile(tmp_path, complete=True, base_url=f"https://127.0.0.1:{answering_target}")
    out = tmp_path / "out"
    gate = subprocess.Popen(
        [sys.executable, "-m", "staging_gate", "run", "--profile", str(profile), "--out",
         str(out), "--workers", "0", "--", str(check), "-k", "slow_flag_toggle"],
        env={**os.environ, **COMPLETE_SECRETS},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # the signal reaches the gate only, as from a CI runner
    )
    try:
        wait_for(markers / "changed", timeout=90)
        gate.send_signal(sent)
        stdout, stderr = gate.communicate(timeout=90)
    finally:
        if gate.poll() is None:
            os.killpg(gate.pid, signal.SIGKILL)
            gate.wait()
    assert gate.returncode == 2, f"exit {gate.returncode}\n{stdout[-2000:]}\n{stderr[-2000:]}"
    assert (markers / "restored").exists(), "the check's teardown did not run"
    assert "Traceback" not in stderr, stderr[-2000:]
    signoff = json.loads((out / "signoff.json").read_text(encoding="utf-8"))
    assert signoff["verdict"] == "NO-GO"
    assert signoff["interrupted"].startswith(f"{sent.name} during the parallel checks")
    assert "did not run: P1.1, P1.2" in signoff["reasons"][0]
    markdown = (out / "signoff.md").read_text(encoding="utf-8")
    assert "**Run interrupted**" in markdown and sent.name in markdown, markdown
    assert "Verdict: NO-GO (partial run) (interrupted)" not in stdout  # no table: no verdict


def portal_flag(state_dir: Path) -> str:
    env_file = state_dir / "app" / ".env.staging"
    for line in env_file.read_text(encoding="utf-8").splitlines():
        if line.startswith("FEATURE_CUSTOMER_PORTAL="):
            return line.partition("=")[2].strip()
    return ""


def test_sigterm_during_the_flag_toggles_restores_the_flag(
    reference_target: reference.ReferenceTarget, tmp_path: Path
) -> None:
    """The issue's own case: a CI job cancelled while phase 3 has the portal flag off."""
    reference.defect(reference_target.state_dir, "reset")
    out = tmp_path / "out"
    gate = subprocess.Popen(
        [sys.executable, "-m", "staging_gate", "run", "--profile",
         str(reference_target.profile_path), "--phase", "boot", "--out", str(out),
         "--workers", "0"],
        env={**os.environ, **reference_target.secrets},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while portal_flag(reference_target.state_dir) != "false":
            assert gate.poll() is None, "the gate ended before it switched the flag off"
            assert time.monotonic() < deadline, "the flag was never switched off"
            time.sleep(0.05)
        gate.send_signal(signal.SIGTERM)
        _, stderr = gate.communicate(timeout=180)
    finally:
        if gate.poll() is None:
            os.killpg(gate.pid, signal.SIGKILL)
            gate.wait()
    assert gate.returncode == 2, stderr[-2000:]
    assert portal_flag(reference_target.state_dir) == "true", (
        "the flag was left off: " + stderr[-3000:]
    )
    signoff = json.loads((out / "signoff.json").read_text(encoding="utf-8"))
    assert signoff["verdict"] == "NO-GO"
    assert signoff["interrupted"].startswith("SIGTERM during the state-changing checks")
