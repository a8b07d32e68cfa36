"""Profile commands are never cut half way by an interrupt of the gate."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from staging_gate.deployment.commands import CommandFailed, run_command

GATE = """
import signal
import sys
from staging_gate.deployment.commands import run_command
# A job started in the background by a non-interactive shell (a CI runner) inherits SIGINT
# ignored; the gate's CLI installs its own handlers, this stand-in restores Python's.
signal.signal(signal.SIGINT, signal.default_int_handler)
started, written = sys.argv[1], sys.argv[2]
command = ("import pathlib, time; pathlib.Path(%r).touch(); time.sleep(0.6); "
           "pathlib.Path(%r).write_text('done')" % (started, written))
try:
    run_command([sys.executable, "-c", command], timeout=20)
except KeyboardInterrupt:
    print("interrupt re-raised after the command")
"""


def test_an_interrupt_lets_the_command_finish_then_reraises(tmp_path: Path) -> None:
    """The gate (a process of its own here, its main thread waiting on the command) gets
    SIGINT once the command has started: the command finishes, then the interrupt goes on."""
    started, written = tmp_path / "started", tmp_path / "written"
    gate = subprocess.Popen([sys.executable, "-c", GATE, str(started), str(written)],
                            stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while not started.exists() and gate.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert started.exists(), "the command never started"
    gate.send_signal(signal.SIGINT)
    out, _ = gate.communicate(timeout=30)
    assert written.read_text() == "done", "the command was cut half way"
    assert "interrupt re-raised after the command" in out


def test_a_command_over_time_is_killed_and_named() -> None:
    with pytest.raises(CommandFailed, match="ran longer than 1s"):
        run_command([sys.executable, "-c", "import time; time.sleep(5)"], timeout=1)


def test_a_failing_command_names_its_last_line() -> None:
    with pytest.raises(CommandFailed, match="exited 3: boom"):
        run_command([sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"])
