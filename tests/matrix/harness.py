"""The detection matrix: every check proven twice — it passes on the healthy reference
target and fails, with a message naming the problem, on the seeded defect it exists to catch.

Rows live in `tests/detection_matrix.toml`. This module runs them; `scripts/matrix` and
`tests/test_detection_matrix.py` both use it.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import re
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import tomli_w

from staging_gate.run import reference

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MATRIX_FILE = PROJECT_ROOT / "tests" / "detection_matrix.toml"
SUITES = PROJECT_ROOT / "suites"
PROFILE_DEFECT_PREFIX = "profile:"
#: The reference target's dialects (reference_target/dialect.py); every row runs on each one it
#: names in `dialects` (default: all).
DIALECTS: tuple[str, ...] = tuple(reference.DIALECTS)


@dataclass(frozen=True)
class Row:
    defect: str
    tests: tuple[str, ...]
    message: str = ""
    also: tuple[str, ...] = ()
    pytest_args: tuple[str, ...] = ()
    isolated_network: bool = False
    #: "failed": the check must fail (an application finding). "unverified": the check must
    #: say it could not verify (a missing privilege, no counters) — never pass, never fail.
    #: "passed": a *missed* row — the check must pass with the defect on, under the row's
    #: `profile_changes` (what the defect escapes: one user, a single request).
    outcome: str = "failed"
    #: The dialects this row runs on; a row limited to fewer says why in a comment.
    dialects: tuple[str, ...] = DIALECTS
    #: Per-dialect `message` where the problem has other names there (a table, a cookie).
    messages: Mapping[str, str] = field(default_factory=dict)
    #: Dotted profile keys set in a copy of the target's profile for this row only
    #: (`"budgets.load.users" = 1`).
    profile_changes: Mapping[str, object] = field(default_factory=dict)

    def message_for(self, dialect: str) -> str:
        return self.messages.get(dialect, self.message)

    def on(self, dialect: str) -> Row:
        """This row as judged on `dialect` (its message for that dialect)."""
        return replace(self, message=self.message_for(dialect), messages={})

    @property
    def switches_target(self) -> bool:
        """Rows named ``profile:...`` break the gate's view of the target, not the target."""
        return not self.defect.startswith(PROFILE_DEFECT_PREFIX)

    @property
    def id(self) -> str:
        name = "+".join((self.defect, *self.also))
        return f"{name}-missed" if self.outcome == "passed" else name

    @property
    def proves_detection(self) -> bool:
        """False for a missed row: it shows what the defect escapes, not that it is caught."""
        return self.outcome != "passed"


@dataclass(frozen=True)
class Outcome:
    name: str
    status: str  # passed, failed, error, skipped, missing
    message: str = ""


@dataclass(frozen=True)
class Run:
    """One pytest process: its outcomes by test function name, exit code and last lines."""

    outcomes: dict[str, list[Outcome]]
    returncode: int = 0
    tail: tuple[str, ...] = ()

    def explain(self) -> str:
        """Why a listed check may not have run: pytest's exit code and its last lines."""
        lines = "\n".join(f"    {line}" for line in self.tail) or "    (no output)"
        return f"pytest exited {self.returncode}; its last lines:\n{lines}"


TAIL_LINES = 15


@dataclass(frozen=True)
class RowResult:
    row: Row
    outcomes: tuple[Outcome, ...]
    problems: tuple[str, ...] = field(default=())

    @property
    def caught(self) -> bool:
        return not self.problems


def load_rows(path: Path = MATRIX_FILE) -> list[Row]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Row(
            defect=raw["defect"],
            tests=tuple(raw["tests"]),
            message=raw.get("message", ""),
            also=tuple(raw.get("also", ())),
            pytest_args=tuple(raw.get("pytest_args", ())),
            isolated_network=bool(raw.get("isolated_network", False)),
            outcome=str(raw.get("outcome", "failed")),
            dialects=tuple(raw.get("dialects", DIALECTS)),
            messages=dict(raw.get("messages", {})),
            profile_changes=dict(raw.get("profile_changes", {})),
        )
        for raw in data.get("row", [])
    ]


def load_pending(path: Path = MATRIX_FILE) -> dict[str, dict[str, str]]:
    """`[pending.DIALECT]`: check name -> what it waits for (work not landed yet).

    On that dialect the check may fail on the healthy target and its rows are expected not
    to be caught; once it passes there, the entry must go (the tests say so)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    pending = data.get("pending", {})
    return {str(d): {str(k): str(v) for k, v in checks.items()} for d, checks in pending.items()}


def suite_test_files(suites: Path = SUITES) -> dict[str, Path]:
    """Every check function defined in suites/ and the file that defines it (by reading the
    source, not importing it)."""
    files: dict[str, Path] = {}
    for path in sorted(suites.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                files[node.name] = path
    return files


def suite_test_names(suites: Path = SUITES) -> list[str]:
    """Every check function defined in suites/ (by reading the source, not importing it)."""
    return list(suite_test_files(suites))


def collect_paths(checks: Sequence[str]) -> list[str]:
    """What pytest collects for `checks`: only the files defining them (each row's pytest
    then imports one or two modules, not the whole suite), or all of suites/ when a name is
    unknown or no check is named (the healthy pass)."""
    files = suite_test_files()
    if not checks or any(name not in files for name in checks):
        return [str(SUITES)]
    return sorted({str(files[name]) for name in checks})


def run_checks(
    profile: Path,
    env: Mapping[str, str],
    junit: Path,
    checks: Sequence[str] = (),
    extra: Sequence[str] = (),
    timeout: float = 600.0,
    isolated_network: bool = False,
) -> dict[str, list[Outcome]]:
    """Run the selected checks in one pytest process; outcomes by test function name."""
    return run_pytest(profile, env, junit, checks, extra, timeout, isolated_network).outcomes


def run_pytest(
    profile: Path,
    env: Mapping[str, str],
    junit: Path,
    checks: Sequence[str] = (),
    extra: Sequence[str] = (),
    timeout: float = 600.0,
    isolated_network: bool = False,
) -> Run:
    """Run the selected checks in one pytest process: outcomes, exit code, last lines.

    The junit file is removed first, so a file left by an earlier run is never judged.
    `isolated_network` runs them in an empty network namespace, so a name lookup that the
    system resolver would send to a DNS server fails on this machine instead.
    """
    junit.unlink(missing_ok=True)
    argv = ["unshare", "--net"] if isolated_network else []
    argv += [
        sys.executable,
        "-m",
        "pytest",
        *collect_paths(checks),
        "-c",
        str(PROJECT_ROOT / "pyproject.toml"),
        "--rootdir",
        str(PROJECT_ROOT),
        "--profile",
        str(profile),
        "-q",
        "-p",
        "no:randomly",
        "--junitxml",
        str(junit),
        "-o",
        "junit_family=xunit2",
        *[f"--check={name}" for name in checks],
        *extra,
    ]
    completed = subprocess.run(
        argv,
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = (completed.stdout + completed.stderr).splitlines()
    return Run(parse_junit(junit), completed.returncode, tuple(output[-TAIL_LINES:]))


def parse_junit(junit: Path) -> dict[str, list[Outcome]]:
    outcomes: dict[str, list[Outcome]] = {}
    if not junit.exists():
        return outcomes
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = case.get("name", "")
        status, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            element = case.find(tag)
            if element is not None:
                status = "failed" if tag == "failure" else tag
                message = f"{element.get('message', '')}\n{element.text or ''}"
                break
        base = name.partition("[")[0]
        outcomes.setdefault(base, []).append(Outcome(name, status, message))
    return outcomes


UNVERIFIED_MARK = "Could not verify:"


def _matches_outcome(row: Row, result: Outcome) -> bool:
    if row.outcome == "unverified":
        return result.status == "skipped" and UNVERIFIED_MARK in result.message
    if row.outcome == "passed":
        return result.status == "passed"
    return result.status in ("failed", "error")


def judge_row(row: Row, run: Run) -> RowResult:
    """Caught means: every listed check failed (or errored) and named the problem — or, for
    ``outcome = "unverified"`` rows, said it could not verify and named the fix; for
    ``outcome = "passed"`` (missed) rows, every listed check passed with the defect on."""
    problems: list[str] = []
    seen: list[Outcome] = []
    for name in row.tests:
        results = run.outcomes.get(name)
        if not results:
            problems.append(f"{name} did not run: {run.explain()}")
            seen.append(Outcome(name, "missing"))
            continue
        seen += results
        if row.outcome == "passed" and not all(_matches_outcome(row, r) for r in results):
            said = "; ".join(r.message.strip().splitlines()[0] for r in results
                             if r.status != "passed" and r.message.strip())
            statuses = ", ".join(sorted({result.status for result in results}))
            problems.append(f"{name} was {statuses} with {row.id} on, expected passed"
                            + (f": {said[:300]}" if said else ""))
            continue
        failing = [r for r in results if _matches_outcome(row, r)]
        if not failing:
            statuses = ", ".join(sorted({result.status for result in results}))
            want = "" if row.outcome == "failed" else f", expected {row.outcome}"
            problems.append(f"{name} was {statuses} with {row.id} on{want}")
            continue
        if row.message and row.outcome != "passed" and not any(
            re.search(row.message, r.message, re.IGNORECASE) for r in failing
        ):
            problems.append(f"{name} failed without naming the problem (/{row.message}/)")
    return RowResult(row, tuple(seen), tuple(problems))


@contextmanager
def seeded(state_dir: Path, *names: str) -> Iterator[None]:
    """Switch defects on (in order); always switch every defect off afterwards."""
    try:
        for name in names:
            reference.defect(state_dir, "on", name)
        yield
    finally:
        reference.defect(state_dir, "reset")


def defects_on(state_dir: Path, row: Row) -> contextlib.AbstractContextManager[None]:
    return seeded(state_dir, *row.also, row.defect)


def changed_profile(profile: Path, changes: Mapping[str, object], name: str) -> Path:
    """A copy of `profile` beside it (`<stem>-<name>.toml`, so relative paths still resolve)
    with each dotted key of `changes` set; tables on the way are created. Returns its path."""
    data = tomllib.loads(profile.read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        *tables, key = dotted.split(".")
        table = data
        for part in tables:
            table = table.setdefault(part, {})
        table[key] = value
    copy = profile.with_name(f"{profile.stem}-{name}.toml")
    copy.write_text(tomli_w.dumps(data), encoding="utf-8")
    return copy


def run_row(target: reference.ReferenceTarget, row: Row, workdir: Path) -> RowResult:
    junit = workdir / f"{row.id}.xml"
    profile = (changed_profile(target.profile_path, row.profile_changes, row.id)
               if row.profile_changes else target.profile_path)

    def run() -> Run:
        return run_pytest(
            profile,
            target.secrets,
            junit,
            row.tests,
            row.pytest_args,
            isolated_network=row.isolated_network,
        )

    if not row.switches_target:
        return judge_row(row, run())
    with defects_on(target.state_dir, row):
        return judge_row(row, run())


def run_healthy(target: reference.ReferenceTarget, workdir: Path) -> Run:
    return run_pytest(target.profile_path, target.secrets, workdir / "healthy.xml")


def matrix_document(
    healthy: Mapping[str, list[Outcome]], results: Sequence[RowResult]
) -> dict[str, object]:
    all_outcomes = [o for outs in healthy.values() for o in outs]
    return {
        "healthy": {
            "checks": len(all_outcomes),
            "failures": sum(o.status in ("failed", "error") for o in all_outcomes),
            "not_passed": sorted(o.name for o in all_outcomes if o.status != "passed"),
        },
        "rows": [
            {
                "defect": result.row.id,
                "checks": list(result.row.tests),
                "caught": result.caught,
                "problems": list(result.problems),
            }
            for result in results
        ],
    }


def format_table(results: Sequence[RowResult]) -> str:
    width = max((len(r.row.id) for r in results), default=10)
    lines = [f"{'defect'.ljust(width)}  caught  checks"]
    for result in results:
        mark = "yes" if result.caught else "NO "
        lines.append(f"{result.row.id.ljust(width)}  {mark}     {', '.join(result.row.tests)}")
        lines += [f"{'':{width}}          ! {problem}" for problem in result.problems]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description="Run the detection matrix")
    parser.add_argument("--out", type=Path, default=Path("detection-matrix.json"))
    parser.add_argument("--state-dir", type=Path, default=None)
    parser.add_argument("--defect", action="append", default=[], help="only these rows")
    parser.add_argument(
        "--dialect", action="append", choices=DIALECTS, default=[], help="only these dialects"
    )
    args = parser.parse_args(argv)
    rows = [r for r in load_rows() if not args.defect or r.defect in args.defect]
    documents: dict[str, object] = {}
    all_caught = True
    for dialect in args.dialect or DIALECTS:
        with tempfile.TemporaryDirectory(prefix="staging-gate-matrix-") as tmp:
            state_dir = (args.state_dir or Path(tmp) / "target") / dialect
            target = reference.start(state_dir, dialect=dialect)
            try:
                healthy = run_healthy(target, Path(tmp))
                results = []
                for row in (r.on(dialect) for r in rows if dialect in r.dialects):
                    result = run_row(target, row, Path(tmp))
                    mark = "caught" if result.caught else "NOT CAUGHT"
                    print(f"[{dialect}] {row.id}: {mark}", flush=True)
                    results.append(result)
            finally:
                reference.stop(state_dir)
        documents[dialect] = matrix_document(healthy.outcomes, results)
        print(f"--- {dialect} dialect ---")
        print(format_table(results))
        print(f"healthy target: {matrix_document(healthy.outcomes, [])['healthy']}")
        all_caught = all_caught and all(r.caught for r in results)
    args.out.write_text(json.dumps(documents, indent=2) + "\n", encoding="utf-8")
    print(f"written {args.out}")
    return 0 if all_caught else 1


if __name__ == "__main__":
    sys.exit(main())
