"""Feature flags and settings from DIR/app/.env.staging, re-read when the file changes.

With the ``flag_toggle_ignored`` defect the flags freeze at the values the app last acted
on before the defect was switched on, as if they had been cached at boot.
"""

from __future__ import annotations

import threading
from pathlib import Path

from reference_target import envfile
from reference_target.app.watched import WatchedFile

PORTAL = "FEATURE_CUSTOMER_PORTAL"
SECTIONS = {
    "calls": "FEATURE_CUSTOMER_PORTAL_CALLS",
    "appointments": "FEATURE_CUSTOMER_PORTAL_APPOINTMENTS",
    "crm": "FEATURE_CUSTOMER_PORTAL_CRM",
    "services": "FEATURE_CUSTOMER_PORTAL_SERVICES",
    "staff": "FEATURE_CUSTOMER_PORTAL_STAFF",
}
ALL_FLAGS = (PORTAL, *SECTIONS.values(), "FEATURE_PHONETIC_MATCHING_ENABLED")


def _parse(path: Path | None) -> dict[str, str]:
    return envfile.read(path) if path is not None else {}


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1", "yes", "on")


class EnvSettings:
    """The env file's values; ``flags(frozen=...)`` honours the toggle-ignored defect."""

    def __init__(self, env_file: Path) -> None:
        self.path = env_file
        self._file = WatchedFile(env_file, _parse)
        self._lock = threading.Lock()
        self._frozen: dict[str, bool] | None = None
        self._last_live = self._live_flags()

    def values(self) -> dict[str, str]:
        return self._file.get()

    def get(self, key: str, default: str = "") -> str:
        return self.values().get(key, default)

    def _live_flags(self) -> dict[str, bool]:
        values = self.values()
        return {name: truthy(values.get(name)) for name in ALL_FLAGS}

    def flags(self, frozen: bool = False) -> dict[str, bool]:
        with self._lock:
            if not frozen:
                self._frozen = None
                self._last_live = self._live_flags()
                return dict(self._last_live)
            if self._frozen is None:
                # the values the app last acted on, not whatever the file says now
                self._frozen = dict(self._last_live)
            return dict(self._frozen)

    def section_enabled(self, section: str | None, frozen: bool = False) -> bool:
        flags = self.flags(frozen)
        if not flags[PORTAL]:
            return False
        return section is None or flags[SECTIONS[section]]
