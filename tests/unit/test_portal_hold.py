"""The portal flag held on for a run: which runs need it, and what is done when it is off."""

from __future__ import annotations

from pathlib import Path

import pytest

from staging_gate.deployment.portal_hold import hold_portal_on, needs_portal, phases_of
from staging_gate.deployment.target import Target
from staging_gate.profile import PHASES, load_profile
from tests.profile_factory import write_profile


@pytest.mark.parametrize(("phases", "checks", "expected"), [
    ((), (), set(PHASES)),
    (("infra",), ("P5.1",), {"infra"}),
    ((), ("P1.2", "test_P2_3_expected_tables"), {"infra", "database"}),
    ((), ("P5.1", "test_P3_4_portal_paths_404_when_flag_off"), {"security", "boot"}),
    ((), ("some_other_name",), set(PHASES)),
])
def test_phases_of_a_selection(phases, checks, expected):
    assert phases_of(phases, checks) == expected


def test_database_and_production_alone_need_no_portal():
    """P1.6 reads the cache keys a logged-in tenant's dashboard writes: infra needs it."""
    assert not needs_portal({"database"})
    assert not needs_portal({"production"})
    assert needs_portal({"infra"})
    assert needs_portal({"database", "security"})


def target_with_flag(tmp_path: Path, state: str, read_only: bool) -> Target:
    extra = f'\n[flags]\nread_command = ["echo", "{state}"]\ntoggle_command = ["true"]\n'
    return Target(load_profile(write_profile(tmp_path, extra=extra)), read_only=read_only)


def test_flag_found_on_is_left_alone(tmp_path):
    hold = hold_portal_on(target_with_flag(tmp_path, "true", read_only=False))
    assert hold.found_on is True and not hold.switched and hold.release() == []


def test_read_only_run_switches_nothing_and_says_why(tmp_path):
    hold = hold_portal_on(target_with_flag(tmp_path, "false", read_only=True))
    assert hold.found_on is False and not hold.switched
    assert "--read-only" in hold.describe()


def target_with_flag_files(tmp_path: Path, found: dict[str, bool], sub_flags: list[str],
                           read_only: bool = False) -> Target:
    """Flags kept as files in tmp_path/flags (read_command cats, toggle_command writes)."""
    store = tmp_path / "flags"
    store.mkdir()
    for name, on in found.items():
        (store / name).write_text("true" if on else "false")
    subs = ", ".join(f'"{s}"' for s in sub_flags)
    extra = (
        f'\n[flags]\nportal_flag = "portal"\nsub_flags = [{subs}]\nsettle_seconds = 1\n'
        f'read_command = ["sh", "-c", "cat {store}/{{flag}} 2>/dev/null || echo false"]\n'
        f'toggle_command = ["sh", "-c", "echo {{value}} > {store}/{{flag}}"]\n'
    )
    return Target(load_profile(write_profile(tmp_path, extra=extra)), read_only=read_only)


def flag_states(tmp_path: Path) -> dict[str, str]:
    return {p.name: p.read_text().strip() for p in sorted((tmp_path / "flags").iterdir())}


@pytest.fixture
def staging_confirmed(monkeypatch):
    monkeypatch.setattr("staging_gate.deployment.portal_hold.require_staging", lambda *a: None)
    monkeypatch.setattr("staging_gate.deployment.flags.require_staging", lambda *a: None)


def test_sub_flags_off_are_switched_on_and_restored(tmp_path, staging_confirmed):
    target = target_with_flag_files(
        tmp_path, {"portal": False, "calls": False, "appts": False}, ["calls", "appts"])
    hold = hold_portal_on(target)
    assert hold.problem is None and hold.switched
    assert hold.sub_flags_switched == ["calls", "appts"]
    assert flag_states(tmp_path) == {"appts": "true", "calls": "true", "portal": "true"}
    assert "sub-flags calls, appts" in hold.describe()
    assert hold.release() == []
    assert flag_states(tmp_path) == {"appts": "false", "calls": "false", "portal": "false"}


def test_portal_on_but_a_sub_flag_off_switches_only_that_one(tmp_path, staging_confirmed):
    target = target_with_flag_files(
        tmp_path, {"portal": True, "calls": False, "appts": True}, ["calls", "appts"])
    hold = hold_portal_on(target)
    assert hold.found_on is True and hold.sub_flags_switched == ["calls"]
    assert flag_states(tmp_path) == {"appts": "true", "calls": "true", "portal": "true"}
    hold.release()
    assert flag_states(tmp_path) == {"appts": "true", "calls": "false", "portal": "true"}


def test_all_on_is_left_alone(tmp_path, staging_confirmed):
    target = target_with_flag_files(
        tmp_path, {"portal": True, "calls": True}, ["calls"])
    hold = hold_portal_on(target)
    assert not hold.switched and hold.sub_flags_switched == [] and hold.release() == []


def test_read_only_run_leaves_sub_flags_off(tmp_path, staging_confirmed):
    target = target_with_flag_files(
        tmp_path, {"portal": True, "calls": False}, ["calls"], read_only=True)
    hold = hold_portal_on(target)
    assert not hold.switched and "--read-only" in (hold.problem or "")
    assert flag_states(tmp_path) == {"calls": "false", "portal": "true"}


def test_verify_production_needs_no_portal():
    assert not needs_portal({"production"})
