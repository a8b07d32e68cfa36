"""Every check proven twice: green on the healthy reference target, red on its seeded defect."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from staging_gate.run import reference
from tests.matrix.harness import (
    DIALECTS,
    Outcome,
    Row,
    Run,
    judge_row,
    load_pending,
    load_rows,
    run_healthy,
    run_pytest,
    run_row,
    suite_test_names,
)

ROWS = load_rows()
PENDING = load_pending()


def _row_case(row: Row, dialect: str) -> object:
    """(row as judged on `dialect`, dialect); skipped, saying why, while a check it names
    waits for other work on that dialect (`[pending.DIALECT]`): it fails there anyway, and
    the healthy test says when it stops failing."""
    waiting = PENDING.get(dialect, {})
    reasons = sorted({f"{name}: {waiting[name]}" for name in row.tests if name in waiting})
    marks = [pytest.mark.skip(reason="pending on " + dialect + ": " + "; ".join(reasons))] \
        if reasons else []
    return pytest.param(row.on(dialect), dialect, id=f"{dialect}-{row.id}", marks=marks)


ROW_CASES = [_row_case(row, dialect) for dialect in DIALECTS for row in ROWS
             if dialect in row.dialects]


_RESET: set[Path] = set()


@pytest.fixture
def matrix_target(dialect_target: reference.ReferenceTarget) -> reference.ReferenceTarget:
    """The dialect's target with every defect off (reset once; each row resets after itself)."""
    if dialect_target.state_dir not in _RESET:
        reference.defect(dialect_target.state_dir, "reset")
        _RESET.add(dialect_target.state_dir)
    return dialect_target


def test_every_check_has_a_defect_proof() -> None:
    proven = {name for row in ROWS if row.proves_detection for name in row.tests}
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
    without = sorted(row.id for row in ROWS if row.proves_detection and not row.message.strip())
    assert not without, f"rows without a message regex: {without}"
    for row in ROWS:
        for dialect in row.dialects:
            re.compile(row.message_for(dialect))  # a broken regex fails here, not as "not caught"


def test_every_missed_row_has_a_caught_twin_and_changes_only_the_profile() -> None:
    """A missed row (`outcome = "passed"`) shows what a defect escapes; the same defect must be
    caught by the same checks in a row of its own, and only the profile may differ."""
    missed = [row for row in ROWS if not row.proves_detection]
    for row in missed:
        twins = [other for other in ROWS if other.proves_detection
                 and (other.defect, other.also) == (row.defect, row.also)
                 and set(row.tests) <= set(other.tests)]
        assert twins, f"{row.id}: no row catches {row.defect} with {list(row.tests)}"
        assert row.profile_changes, f"{row.id}: a missed row must say what it changes"


def test_every_row_names_known_dialects() -> None:
    named = {d for row in ROWS for d in (*row.dialects, *row.messages)} | set(PENDING)
    assert named <= set(DIALECTS), f"unknown dialects: {sorted(named - set(DIALECTS))}"
    assert all(row.dialects for row in ROWS), "a row with `dialects = []` proves nothing"


def test_every_check_is_proven_on_the_reference_dialect() -> None:
    proven = {name for row in ROWS if row.proves_detection and "reference" in row.dialects
              for name in row.tests}
    unproven = sorted(set(suite_test_names()) - proven)
    assert not unproven, f"checks without a reference-dialect row: {unproven}"


@pytest.mark.parametrize("dialect_target", DIALECTS, indirect=True)
def test_healthy_target_passes_every_check(
    dialect_target: reference.ReferenceTarget, matrix_target: reference.ReferenceTarget,
    tmp_path: Path,
) -> None:
    """Every check green on each dialect's healthy target - except, on a dialect, the checks
    `[pending.DIALECT]` lists as waiting for other work (and those must still fail there)."""
    run = run_healthy(matrix_target, tmp_path)
    assert run.outcomes, f"no check ran against the healthy target: {run.explain()}"
    waiting = PENDING.get(matrix_target.dialect, {})
    not_passed = {
        o.name: f"{o.status}: {o.message.strip()[:300]}"
        for results in run.outcomes.values()
        for o in results
        if o.status != "passed"
    }
    unexpected = {name: why for name, why in not_passed.items()
                  if name.partition("[")[0] not in waiting}
    assert not unexpected, f"checks not green on the healthy target: {unexpected}"
    done = sorted(set(waiting) - {name.partition("[")[0] for name in not_passed})
    assert not done, (f"{done} pass on the healthy {matrix_target.dialect} target now: "
                      f"remove them from [pending.{matrix_target.dialect}]")


@pytest.mark.parametrize(("row", "dialect_target"), ROW_CASES, indirect=["dialect_target"])
def test_defect_is_caught(
    row: Row, dialect_target: reference.ReferenceTarget,
    matrix_target: reference.ReferenceTarget, tmp_path: Path,
) -> None:
    result = run_row(matrix_target, row, tmp_path)
    judged = "caught" if row.proves_detection else "missed as the row says"
    assert result.caught, f"{row.id} not {judged}: {'; '.join(result.problems)}"


def test_missed_rows_need_every_check_to_pass() -> None:
    row = Row("x", ("test_P6_4_a",), outcome="passed", profile_changes={"budgets.load.users": 1})

    def judged(*outcomes: Outcome) -> bool:
        return judge_row(row, Run({"test_P6_4_a": list(outcomes)})).caught

    assert row.id == "x-missed" and not row.proves_detection
    assert judged(Outcome("test_P6_4_a", "passed"))
    assert not judged(Outcome("test_P6_4_a", "failed", "p95 of GET /api was 700 ms"))
    assert not judged(Outcome("test_P6_4_a", "skipped", "Could not verify: saturated"))
    assert not judged(Outcome("test_P6_4_a[1]", "passed"), Outcome("test_P6_4_a[2]", "failed"))


def test_changed_profile_sets_dotted_keys_in_a_copy_beside_the_profile(tmp_path: Path) -> None:
    import tomllib

    from tests.matrix.harness import changed_profile

    original = tmp_path / "reference.toml"
    original.write_text('[budgets.load]\nusers = 5\nduration_seconds = 8\n', encoding="utf-8")
    copy = changed_profile(original, {"budgets.load.users": 1, "logs.max_bytes": 10}, "row")
    assert copy.parent == tmp_path and copy != original
    data = tomllib.loads(copy.read_text(encoding="utf-8"))
    assert data["budgets"]["load"] == {"users": 1, "duration_seconds": 8}
    assert data["logs"] == {"max_bytes": 10}
    assert "users = 5" in original.read_text(encoding="utf-8")


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
