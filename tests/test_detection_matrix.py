"""Every check proven twice: green on the healthy reference target, red on its seeded defect."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from staging_gate import reference
from tests.matrix.harness import (
    Outcome,
    Row,
    Run,
    judge_row,
    load_rows,
    run_healthy,
    run_pytest,
    run_row,
    suite_test_names,
)

ROWS = load_rows()


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


def test_every_row_requires_a_message_naming_the_problem() -> None:
    """Caught means failed *naming the problem*: a row without a message regex proves less."""
    without = sorted(row.id for row in ROWS if not row.message.strip())
    assert not without, f"rows without a message regex: {without}"
    for row in ROWS:
        re.compile(row.message)  # a broken regex fails here, not as "not caught"


def test_healthy_target_passes_every_check(
    matrix_target: reference.ReferenceTarget, tmp_path: Path
) -> None:
    run = run_healthy(matrix_target, tmp_path)
    assert run.outcomes, f"no check ran against the healthy target: {run.explain()}"
    not_passed = {
        o.name: f"{o.status}: {o.message.strip()[:300]}"
        for results in run.outcomes.values()
        for o in results
        if o.status != "passed"
    }
    assert not not_passed, f"checks not green on the healthy target: {not_passed}"


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_defect_is_caught(row, matrix_target: reference.ReferenceTarget, tmp_path: Path) -> None:
    result = run_row(matrix_target, row, tmp_path)
    assert result.caught, f"{row.id} not caught: {'; '.join(result.problems)}"


def test_judge_requires_failure_and_message() -> None:
    row = Row("x", ("test_P1_1_a",), message="expires")

    def judged(*outcomes: Outcome) -> bool:
        return judge_row(row, Run({"test_P1_1_a": list(outcomes)} if outcomes else {})).caught

    assert judged(Outcome("test_P1_1_a", "failed", "cert expires"))
    assert not judged(Outcome("test_P1_1_a", "passed"))
    assert not judged(Outcome("test_P1_1_a", "failed", "boom"))
    assert not judged()


def test_unverified_rows_need_could_not_verify_not_a_failure() -> None:
    row = Row("x", ("test_P7_1_a",), message="GRANT CREATE", outcome="unverified")

    def judged(*outcomes: Outcome) -> bool:
        return judge_row(row, Run({"test_P7_1_a": list(outcomes)})).caught

    fix = "Could not verify: no CREATE privilege — fix: GRANT CREATE ON `gate_%`.* TO app"
    assert judged(Outcome("test_P7_1_a", "skipped", fix))
    assert not judged(Outcome("test_P7_1_a", "failed", "GRANT CREATE missing"))
    assert not judged(Outcome("test_P7_1_a", "skipped", "GRANT CREATE (plain skip)"))
    assert not judged(Outcome("test_P7_1_a", "passed"))


def test_a_check_that_did_not_run_says_what_pytest_said() -> None:
    row = Row("x", ("test_P1_1_a",), message="expires")
    run = Run({}, returncode=4, tail=("ERROR: usage: pytest [options]", "unrecognized: --bogus"))

    (problem,) = judge_row(row, run).problems

    assert problem.startswith("test_P1_1_a did not run: pytest exited 4")
    assert "unrecognized: --bogus" in problem


def test_run_pytest_keeps_exit_code_and_tail_and_never_judges_a_stale_junit(
    tmp_path: Path,
) -> None:
    junit = tmp_path / "stale.xml"
    junit.write_text(
        '<testsuites><testsuite><testcase name="test_P1_1_a"/></testsuite></testsuites>',
        encoding="utf-8",
    )

    run = run_pytest(tmp_path / "no-profile.toml", {}, junit, ["test_P1_1_a"], ["--bogus"])

    assert run.outcomes == {}, "the stale junit file was read"
    assert run.returncode == 4, run.tail  # pytest's usage error
    assert any("--bogus" in line for line in run.tail), run.tail
    assert len(run.tail) <= 15
    assert "did not run: pytest exited 4" in judge_row(Row("x", ("test_P1_1_a",)), run).problems[0]
