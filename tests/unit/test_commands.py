"""Profile commands are never cut half way by an interrupt of the gate."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

import pytest

from staging_gate.deployment.commands import CommandFailed, run_command


def test_an_interrupt_lets_the_command_finish_then_reraises(tmp_path: Path) -> None:
    marker = tmp_path / "written"
    script = f"import time; time.sleep(0.6); open({str(marker)!r}, 'w').write('done')"
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            run_command([sys.executable, "-c", script], timeout=10)
    finally:
        timer.cancel()
    assert marker.read_text() == "done", "the command was cut half way"


def test_a_command_over_time_is_killed_and_named() -> None:
    with pytest.raises(CommandFailed, match="ran longer than 1s"):
        run_command([sys.executable, "-c", "import time; time.sleep(5)"], timeout=1)


def test_a_failing_command_names_its_last_line() -> None:
    with pytest.raises(CommandFailed, match="exited 3: boom"):
        run_command([sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"])
