"""Feature-flag switching with guaranteed restore.

A `FlagSwitch` remembers every flag's original state the first time it changes it and
`restore()` puts them all back — the fixture calls it at teardown, also after a failure.
"""

from __future__ import annotations

import time

import httpx

from staging_gate.deployment.commands import CommandFailed, render, run_command
from staging_gate.deployment.guard import require_staging
from staging_gate.deployment.target import Target


class FlagDidNotSettle(Exception):
    """A flag was switched (or found) but did not read as wanted within flags.settle_seconds."""


class FlagStateUnknown(Exception):
    """The flag's state cannot be told from the outside (the portal answered neither 404 nor
    a normal page); the gate will not toggle what it cannot restore."""


# Anonymous answers that mean "the portal exists": a page, a redirect to login, 401.
_PORTAL_ON_STATUSES = frozenset({200, 301, 302, 303, 307, 308, 401})


class FlagSwitch:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.config = target.profile.flags
        self._originals: dict[str, bool] = {}

    def portal_reachable(self) -> bool:
        """From the outside: 404 means off; a page, a login redirect or 401 means on; anything
        else (403, 5xx) cannot be told apart and raises `FlagStateUnknown`."""
        portal = self.target.profile.routes.portal
        with self.target.client() as client:
            status = client.get(portal).status_code
        if status == 404:
            return False
        if status in _PORTAL_ON_STATUSES:
            return True
        raise FlagStateUnknown(
            f"GET {portal} answered {status}: cannot tell whether the portal flag is on "
            "(set flags.read_command to read it directly)"
        )

    def is_enabled(self, flag: str) -> bool:
        if self.config.read_command:
            result = run_command(render(self.config.read_command, {"flag": flag}), timeout=30)
            return result.stdout.strip().lower() == "true"
        if flag != self.config.portal_flag:
            raise ValueError(f"flag {flag!r} can only be read with flags.read_command")
        return self.portal_reachable()

    def set(self, flag: str, enabled: bool) -> None:
        """Switch a flag (guard first); the original state is restored by `restore()`."""
        require_staging(self.target.fingerprint, f"toggling feature flag {flag}")
        if not self.config.toggle_command:
            raise ValueError("profile has no flags.toggle_command; cannot toggle flags")
        if flag not in self._originals:
            self._originals[flag] = self.is_enabled(flag)
        self._write(flag, enabled)

    def _write(self, flag: str, enabled: bool) -> None:
        values = {"flag": flag, "value": "true" if enabled else "false"}
        run_command(render(self.config.toggle_command, values), timeout=60)

    def wait_until(self, flag: str, enabled: bool) -> bool:
        """Poll until the flag reads as `enabled`, bounded by flags.settle_seconds."""
        deadline = time.monotonic() + self.config.settle_seconds
        while True:
            try:
                if self.is_enabled(flag) == enabled:
                    return True
            except (httpx.HTTPError, FlagStateUnknown):
                pass
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)

    def ensure(self, flag: str, enabled: bool) -> None:
        """Make `flag` read as `enabled`: switch it only if it does not already (restored by
        `restore()`), then wait for it; raises `FlagDidNotSettle` if it never reads so."""
        if self.is_enabled(flag) == enabled:
            return
        self.set(flag, enabled)
        if not self.wait_until(flag, enabled):
            state = "on" if enabled else "off"
            raise FlagDidNotSettle(
                f"feature flag {flag} was switched {state} but did not read as {state} "
                f"within {self.config.settle_seconds:g} s (flags.settle_seconds)"
            )

    def restore(self) -> list[str]:
        """Put every changed flag back — each on its own, so one failure does not stop the
        others; returns the flags that did not come back, with why."""
        not_restored: list[str] = []
        interrupted: KeyboardInterrupt | None = None
        for flag, original in reversed(list(self._originals.items())):
            try:
                self._write(flag, original)
            except CommandFailed as error:
                not_restored.append(f"{flag} ({error})")
                continue
            except KeyboardInterrupt as interrupt:  # written anyway (run_command); go on
                interrupted = interrupted or interrupt
                continue
            try:
                if not self.wait_until(flag, original):
                    not_restored.append(f"{flag} (still not {'on' if original else 'off'})")
            except KeyboardInterrupt as interrupt:
                interrupted = interrupted or interrupt
        self._originals.clear()
        if interrupted is not None:
            raise interrupted
        return not_restored
