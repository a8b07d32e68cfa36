"""Run the profile's command templates (flag toggles, migrations, dumps) with bounded time."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


class CommandFailed(Exception):
    """A profile command exited non-zero or ran past its time limit."""


@dataclass(frozen=True)
class CommandResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def render(template: Sequence[str], values: Mapping[str, str]) -> tuple[str, ...]:
    """Substitute ``{name}`` placeholders in each argument (no shell is involved)."""
    return tuple(part.format_map(dict(values)) for part in template)


def run_command(argv: Sequence[str], timeout: float = 120.0, check: bool = True) -> CommandResult:
    """Run one profile command (no shell), at most `timeout` seconds.

    The command runs in its own session, so a Ctrl-C or a CI cancel sent to the gate's process
    group never kills a toggle or restore half way; if the gate itself is interrupted while
    waiting, it lets the command finish (still bounded by `timeout`) and then re-raises the
    interrupt — the target is never left between two states by the gate's own command.

    Raises: CommandFailed (non-zero exit with `check`, over time, cannot start);
    KeyboardInterrupt after the command ended, when the gate was interrupted meanwhile.
    """
    try:
        process = subprocess.Popen(
            list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )
    except OSError as error:
        raise CommandFailed(f"command {' '.join(argv)} could not start: {error}") from None
    deadline = time.monotonic() + timeout
    interrupted: KeyboardInterrupt | None = None
    while True:
        try:
            stdout, stderr = process.communicate(timeout=max(deadline - time.monotonic(), 0.01))
            break
        except KeyboardInterrupt as interrupt:
            interrupted = interrupted or interrupt
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise CommandFailed(
                f"command {' '.join(argv)} ran longer than {timeout:.0f}s"
            ) from interrupted
    if interrupted is not None:
        raise interrupted
    result = CommandResult(tuple(argv), process.returncode, stdout, stderr)
    if check and process.returncode != 0:
        detail = (stderr or stdout).strip().splitlines()[-1:] or [""]
        raise CommandFailed(
            f"command {' '.join(argv)} exited {process.returncode}: {detail[0]}"
        )
    return result
