"""Files shared between commands: the active defects list and the command lock."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path

from .paths import StatePaths


def write_json_atomic(path: Path, data: object, mode: int = 0o644) -> None:
    """Write JSON via a temp file and rename, so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
    tmp.replace(path)


def active_defects(paths: StatePaths) -> list[str]:
    """Names of all active defects, in the order they were switched on."""
    try:
        data = json.loads(paths.defects_json.read_text())
    except FileNotFoundError:
        return []
    if not isinstance(data, list):
        raise ValueError(f"{paths.defects_json} must hold a JSON list of defect names")
    return [str(name) for name in data]


def save_defects(paths: StatePaths, names: list[str]) -> None:
    write_json_atomic(paths.defects_json, list(dict.fromkeys(names)))


@contextlib.contextmanager
def command_lock(paths: StatePaths) -> Iterator[None]:
    """Serialise state-changing commands on one state folder."""
    paths.run.mkdir(parents=True, exist_ok=True)
    with open(paths.lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
