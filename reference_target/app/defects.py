"""App-layer seeded defects: the names listed in DIR/defects.json (re-read on change)."""

from __future__ import annotations

import json
from pathlib import Path

from reference_target.app.watched import WatchedFile


def _parse(path: Path | None) -> frozenset[str]:
    if path is None:
        return frozenset()
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return frozenset()
    return frozenset(str(name) for name in data) if isinstance(data, list) else frozenset()


class DefectSwitch:
    """``switch.on("n_plus_one")`` is True while that defect is listed as active."""

    def __init__(self, state_dir: Path) -> None:
        self._file = WatchedFile(state_dir / "defects.json", _parse)

    def active(self) -> frozenset[str]:
        return self._file.get()

    def on(self, name: str) -> bool:
        return name in self._file.get()
