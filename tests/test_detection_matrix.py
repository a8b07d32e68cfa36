"""Every check proven twice: green on the healthy reference target, red on its seeded defect."""

from __future__ import annotations

from pathlib import Path

import pytest

from staging_gate import reference
from tests.matrix.harness import judge_row, load_rows, run_healthy, run_row, suite_test_names

ROWS = load_rows()
pytestmark = pytest.mark.usefixtures("matrix_target")


@pytest.fixture(scope="module")
def matrix_target(reference_target: reference.ReferenceTarget) -> reference.ReferenceTarget:
    reference.defect(reference_target.state_dir, "reset")
    return reference_target


def test_every_check_has_a_defect_proof() -> None:
    proven = {name for row in ROWS for name in row.tests}
    unproven = sorted(set(suite_test_names()) - proven)
    assert not unproven, f"checks without a row in tests/detection_matrix.toml: {unproven}"


def test_every_row_names_existing_checks_and_defects() -> None:
    from reference_target.defects import BY_NAME

    names = set(suite_test_names())
    unknown_tests = sorted({t for row in ROWS for t in row.tests} - names)
    named = {d for row in ROWS if row.switches_target for d in (row.defect, *row.also)}
    unknown_defects = sorted(named - set(BY_NAME))
    assert not unknown_tests, f"rows name checks that do not exist: {unknown_tests}"
    assert not unknown_defects, f"rows name defects not in the catalogue: {unknown_defects}"


def test_healthy_target_passes_every_check(
    matrix_target: reference.ReferenceTarget, tmp_path: Path
) -> None:
    outcomes = run_healthy(matrix_target, tmp_path)
    assert outcomes, "no check ran against the healthy target"
    not_passed = {
        o.name: f"{o.status}: {o.message.strip()[:300]}"
        for results in outcomes.values()
        for o in results
        if o.status != "passed"
    }
    assert not not_passed, f"checks not green on the healthy target: {not_passed}"


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_defect_is_caught(row, matrix_target: reference.ReferenceTarget, tmp_path: Path) -> None:
    result = run_row(matrix_target, row, tmp_path)
    assert result.caught, f"{row.id} not caught: {'; '.join(result.problems)}"


def test_judge_requires_failure_and_message() -> None:
    from tests.matrix.harness import Outcome, Row

    row = Row("x", ("test_P1_1_a",), message="expires")
    assert judge_row(
        row, {"test_P1_1_a": [Outcome("test_P1_1_a", "failed", "cert expires")]}
    ).caught
    assert not judge_row(row, {"test_P1_1_a": [Outcome("test_P1_1_a", "passed")]}).caught
    assert not judge_row(row, {"test_P1_1_a": [Outcome("test_P1_1_a", "failed", "boom")]}).caught
    assert not judge_row(row, {}).caught
