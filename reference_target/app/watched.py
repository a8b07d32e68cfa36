"""Files the app re-reads when they change (mtime, inode and size decide)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")
Stamp = tuple[int, int, int]


def stamp(path: Path) -> Stamp | None:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return (info.st_mtime_ns, info.st_ino, info.st_size)


class WatchedFile(Generic[T]):
    """Parses ``path`` with ``parse`` and caches the result until the file changes."""

    def __init__(self, path: Path, parse: Callable[[Path | None], T]) -> None:
        self.path = path
        self._parse = parse
        self._lock = threading.Lock()
        self._stamp: Stamp | None = None
        self._value: T = parse(None)
        self._loaded = False

    def get(self) -> T:
        current = stamp(self.path)
        with self._lock:
            if not self._loaded or current != self._stamp:
                self._value = self._parse(self.path if current is not None else None)
                self._stamp = current
                self._loaded = True
            return self._value
