"""storage/logs/laravel.log: one line per request, Laravel's format, no personal data."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from pathlib import Path
from typing import Any


class AppLog:
    def __init__(self, path: Path, channel: str = "staging") -> None:
        self.path = path
        self.channel = channel
        self._lock = threading.Lock()

    def write(self, level: str, message: str, context: dict[str, Any] | None = None) -> None:
        stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        ctx = json.dumps(context or {}, separators=(",", ":"), ensure_ascii=False)
        line = f"[{stamp}] {self.channel}.{level.upper()}: {message} {ctx}\n"
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as handle:
                    handle.write(line)
            except OSError:
                pass
