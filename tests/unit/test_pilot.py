"""The pilot list is written through the profile's command and put back — also on failure."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from staging_gate.deployment import pilot
from staging_gate.deployment.commands import CommandFailed, CommandResult
from staging_gate.deployment.guard import take_fingerprint
from staging_gate.deployment.target import Target
from staging_gate.errors import CouldNotVerify
from staging_gate.profile import FlagsSection, parse_profile

SETTING = "customer_portal_test_companies"


class FakeSetting:
    """Stands in for the profile's toggle/read commands: one stored value."""

    def __init__(self, value: str = "15") -> None:
        self.value = value
        self.writes: list[str] = []
        self.fail_writes_of: set[str] = set()

    def __call__(self, argv: Sequence[str], timeout: float = 0, check: bool = True):
        if argv[0] == "toggle":
            if argv[2] in self.fail_writes_of:
                raise CommandFailed(f"command toggle exited 1: cannot write {argv[2]!r}")
            self.writes.append(argv[2])
            self.value = argv[2]
            return CommandResult(tuple(argv), 0, "", "")
        return CommandResult(tuple(argv), 0, self.value + "\n", "")


def staging_target(read_command: tuple[str, ...] = ("read", "{flag}")) -> Target:
    profile = parse_profile({
        "target": {"base_url": "https://staging.example.test",
                   "production_url": "https://api.example.test"},
        "database": {"dsn_env": "X", "name": "app_staging", "production_name": "app_db",
                     "latest_migration": "m"},
        "cache": {"url_env": "Y", "prefix": "s_", "production_prefix": "p_"},
        "flags": {"toggle_command": ["toggle", "{flag}", "{value}"],
                  "read_command": list(read_command), "pilot_setting": SETTING,
                  "pilot_companies": ["2"], "pilot_tenant": "a", "non_pilot_tenant": "b"},
    })
    target = Target(profile)
    target.__dict__["fingerprint"] = take_fingerprint(
        host="staging.example.test", production_host="api.example.test",
        health={"environment": "staging"}, health_error=None, database_name="app_staging",
        production_database_name="app_db", expected_environment="staging")
    return target


@pytest.fixture
def setting(monkeypatch: pytest.MonkeyPatch) -> FakeSetting:
    fake = FakeSetting()
    monkeypatch.setattr(pilot, "run_command", fake)
    return fake


def test_the_list_is_set_inside_and_restored_after(setting: FakeSetting) -> None:
    with pilot.pilot_rollout(pilot.PilotSwitch(staging_target()), ["2", " 3"]):
        assert setting.value == "2,3"
    assert setting.value == "15"


def test_the_list_is_restored_when_the_check_fails_half_way(setting: FakeSetting) -> None:
    switch = pilot.PilotSwitch(staging_target())
    with pytest.raises(AssertionError, match="non-pilot user"), pilot.pilot_rollout(switch, ["2"]):
        raise AssertionError("non-pilot user got the portal")
    assert setting.writes == ["2", "15"]
    assert setting.value == "15"


def test_a_failed_restore_is_reported_and_never_hides_the_checks_failure(
    setting: FakeSetting,
) -> None:
    setting.fail_writes_of = {"15"}
    switch = pilot.PilotSwitch(staging_target())
    with pytest.raises(AssertionError) as raised, pilot.pilot_rollout(switch, ["2"]):
        raise AssertionError("check failed")
    assert any("not restored to '15'" in note for note in raised.value.__notes__)
    setting.value = "15"
    again = pilot.PilotSwitch(staging_target())
    with pytest.raises(pilot.PilotNotRestored, match="not restored to '15'"), \
            pilot.pilot_rollout(again, ["2"]):
        pass


def test_a_list_that_cannot_be_read_is_never_changed(setting: FakeSetting) -> None:
    blind = pilot.PilotSwitch(staging_target(read_command=()))
    with pytest.raises(CouldNotVerify, match=r"set flags\.read_command"), \
            pilot.pilot_rollout(blind, ["2"]):
        pass
    assert setting.writes == []


def test_missing_pilot_keys_are_named() -> None:
    missing = pilot.missing_pilot_keys(FlagsSection(pilot_setting=SETTING))
    assert missing[:3] == ["flags.pilot_companies", "flags.pilot_tenant",
                           "flags.non_pilot_tenant"]
    assert missing[3].startswith("flags.read_command")


def test_format_ids_writes_the_seed_shape() -> None:
    assert pilot.format_ids([" 15", "16 ", ""]) == "15,16"
