"""Reading an allure-results directory (the allure-pytest format) into test outcomes.

Each ``*-result.json`` is one attempt of one test. pytest-rerunfailures writes one file
per attempt, all sharing the test's ``historyId``; several xdist workers write into the
same directory. `read_outcomes` folds the attempts back into one `TestOutcome` per test:
the attempt that stopped last is the outcome, and an earlier failed or broken attempt
followed by a pass makes it flaky.

A result file that cannot be read is a `ConfigError`, not a skipped file: a verdict
computed over a partly unreadable directory could hide a failure.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from staging_gate.errors import ConfigError

AllureStatus = Literal["passed", "failed", "broken", "skipped", "unknown"]
_STATUSES: frozenset[str] = frozenset({"passed", "failed", "broken", "skipped", "unknown"})
_BAD: frozenset[str] = frozenset({"failed", "broken"})


@dataclass(frozen=True)
class Attempt:
    """One ``*-result.json``: one run of one test."""

    name: str
    full_name: str
    #: The test function (``test_P1_2_chain_verifies``), read from ``fullName``.
    function: str
    #: Parameter values of a parametrized test, in order.
    parameters: tuple[str, ...]
    history_id: str
    status: AllureStatus
    message: str
    labels: tuple[tuple[str, str], ...]
    start: int
    stop: int

    def label(self, name: str) -> str | None:
        """The first value of label ``name``, or None."""
        return next((value for key, value in self.labels if key == name), None)


@dataclass(frozen=True)
class TestOutcome:
    """All attempts of one test, latest last."""

    attempts: tuple[Attempt, ...]

    @property
    def final(self) -> Attempt:
        return self.attempts[-1]

    @property
    def flaky(self) -> bool:
        """Passed in the end after an earlier attempt failed or broke."""
        return self.final.status == "passed" and any(a.status in _BAD for a in self.attempts)


def _as_int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _labels(raw: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        (str(item["name"]), str(item["value"]))
        for item in raw
        if isinstance(item, dict) and "name" in item and "value" in item
    )


def _parameters(raw: object) -> tuple[str, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        str(item.get("value", "")).strip("'\"")
        for item in raw
        if isinstance(item, dict) and not item.get("excluded")
    )


def parse_attempt(data: dict[str, Any], source: str = "<memory>") -> Attempt:
    """One result document as an `Attempt`; a document without a status is a ConfigError."""
    status = data.get("status", "unknown")
    if status not in _STATUSES:
        raise ConfigError(f"allure result {source} has unknown status {status!r}")
    name = str(data.get("name") or data.get("fullName") or "<unnamed>")
    full_name = str(data.get("fullName") or name)
    details = data.get("statusDetails")
    message = str(details.get("message") or "") if isinstance(details, dict) else ""
    start = _as_int(data.get("start"))
    return Attempt(
        name=name,
        full_name=full_name,
        function=full_name.rpartition("#")[2] or name,
        parameters=_parameters(data.get("parameters")),
        history_id=str(data.get("historyId") or data.get("testCaseId") or full_name),
        status=status,
        message=message.strip(),
        labels=_labels(data.get("labels")),
        start=start,
        stop=_as_int(data.get("stop")) or start,
    )


def _load(path: Path) -> Attempt:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(
            f"cannot read allure result {path}: {error}; rerun the gate or remove the damaged file"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"allure result {path} is not a JSON object")
    return parse_attempt(data, source=str(path))


def read_attempts(results_dir: Path) -> list[Attempt]:
    """Every attempt in ``results_dir``; a missing directory is a ConfigError."""
    if not results_dir.is_dir():
        raise ConfigError(
            f"allure results directory {results_dir} does not exist; "
            "run the gate first (it writes OUT/allure-results)"
        )
    return [_load(path) for path in sorted(results_dir.glob("*-result.json"))]


def group_attempts(attempts: Iterable[Attempt]) -> list[TestOutcome]:
    """One outcome per historyId, attempts ordered by stop time, outcomes by first start."""
    by_history: dict[str, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        by_history[attempt.history_id].append(attempt)
    outcomes = [
        TestOutcome(tuple(sorted(group, key=lambda a: (a.stop, a.start))))
        for group in by_history.values()
    ]
    return sorted(outcomes, key=lambda o: (o.attempts[0].start, o.final.full_name))


def read_outcomes(results_dir: Path) -> Sequence[TestOutcome]:
    return group_attempts(read_attempts(results_dir))
