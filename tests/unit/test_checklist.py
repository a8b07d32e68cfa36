"""Phase names have one home (checklist.py): the profile's names and the suites' folders
are the same list."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

from staging_gate import checklist, profile
from staging_gate.checklist import item_for_test_name

SUITES = Path(__file__).resolve().parents[2] / "suites"


def test_profile_phases_are_the_checklists() -> None:
    assert profile.PHASES is checklist.PHASES
    assert get_args(profile.PhaseName) == checklist.PHASES
    assert list(checklist.PHASE_BY_NUMBER.values()) == list(checklist.PHASES)
    assert set(checklist.PHASE_TITLES) == set(checklist.PHASES)


def test_suite_folders_are_phases_and_hold_only_their_phase() -> None:
    folders = {p.name for p in SUITES.iterdir() if (p / "__init__.py").is_file()}
    assert folders == {*checklist.PHASES, checklist.PRODUCTION_PHASE}
    for test_file in SUITES.rglob("test_*.py"):
        phase = test_file.parent.name
        for line in test_file.read_text(encoding="utf-8").splitlines():
            if line.startswith("def test_P"):
                item = item_for_test_name(line.removeprefix("def ").partition("(")[0])
                assert item is not None, line
                assert item.phase == phase, f"{test_file.name}: {line}"
