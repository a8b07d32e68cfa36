"""FlagSwitch.ensure: switch only when needed, then wait; a flag that never settles is named."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from staging_gate.deployment.commands import CommandFailed
from staging_gate.deployment.flags import FlagDidNotSettle, FlagSwitch
from staging_gate.profile import FlagsSection


class FakeSwitch(FlagSwitch):
    def __init__(self, state: bool, settles: bool) -> None:
        target: Any = SimpleNamespace(profile=SimpleNamespace(flags=FlagsSection(settle_seconds=3)))
        super().__init__(target)
        self.state, self.settles = state, settles
        self.writes: list[bool] = []

    def is_enabled(self, flag: str) -> bool:
        return self.state

    def set(self, flag: str, enabled: bool) -> None:
        self.writes.append(enabled)

    def wait_until(self, flag: str, enabled: bool) -> bool:
        if self.settles:
            self.state = enabled
        return self.settles


def test_ensure_leaves_a_flag_already_in_the_wanted_state_alone() -> None:
    switch = FakeSwitch(state=True, settles=True)
    switch.ensure("customer_portal", True)
    assert switch.writes == []


def test_ensure_switches_and_waits() -> None:
    switch = FakeSwitch(state=False, settles=True)
    switch.ensure("customer_portal", True)
    assert switch.writes == [True]
    assert switch.state is True


def test_ensure_raises_naming_flag_state_and_settle_time() -> None:
    switch = FakeSwitch(state=False, settles=False)
    with pytest.raises(FlagDidNotSettle) as raised:
        switch.ensure("customer_portal", True)
    assert "customer_portal" in str(raised.value)
    assert "on" in str(raised.value)
    assert "3 s" in str(raised.value)


class RestoringSwitch(FlagSwitch):
    """Records restores; the toggle command fails for `broken` flags."""

    def __init__(self, broken: set[str]) -> None:
        target: Any = SimpleNamespace(profile=SimpleNamespace(flags=FlagsSection(settle_seconds=0)))
        super().__init__(target)
        self.broken = broken
        self.written: list[tuple[str, bool]] = []

    def _write(self, flag: str, enabled: bool) -> None:
        if flag in self.broken:
            raise CommandFailed(f"command toggle {flag} exited 1: permission denied")
        self.written.append((flag, enabled))

    def wait_until(self, flag: str, enabled: bool) -> bool:
        return True


def test_restore_puts_every_flag_back_even_when_one_fails() -> None:
    switch = RestoringSwitch(broken={"customer_portal_calls"})
    switch._originals.update(
        {"customer_portal": True, "customer_portal_calls": True, "customer_portal_crm": False}
    )
    not_restored = switch.restore()
    assert switch.written == [("customer_portal_crm", False), ("customer_portal", True)]
    assert len(not_restored) == 1 and "customer_portal_calls" in not_restored[0]
    assert "permission denied" in not_restored[0]
