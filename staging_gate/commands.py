"""Run the profile's command templates (flag toggles, migrations, dumps) with bounded time."""

from __future__ import annotations

import subprocess
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
    try:
        completed = subprocess.run(
            list(argv), capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise CommandFailed(f"command {' '.join(argv)} ran longer than {timeout:.0f}s") from None
    except OSError as error:
        raise CommandFailed(f"command {' '.join(argv)} could not start: {error}") from None
    result = CommandResult(tuple(argv), completed.returncode, completed.stdout, completed.stderr)
    if check and completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip().splitlines()[-1:] or [""]
        raise CommandFailed(
            f"command {' '.join(argv)} exited {completed.returncode}: {detail[0]}"
        )
    return result
