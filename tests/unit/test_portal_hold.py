"""The portal flag held on for a run: which runs need it, and what is done when it is off."""

from __future__ import annotations

from pathlib import Path

import pytest

from staging_gate.portal_hold import hold_portal_on, needs_portal, phases_of
from staging_gate.profile import PHASES, load_profile
from staging_gate.target import Target
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
