"""FlagSwitch.ensure: switch only when needed, then wait; a flag that never settles is named."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from staging_gate.flags import FlagDidNotSettle, FlagSwitch
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
