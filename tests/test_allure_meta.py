"""Run metadata written next to the allure results."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from staging_gate.verdict.allure_meta import (
    executor_info,
    write_categories,
    write_environment,
    write_executor,
)


def read_properties(path: Path) -> dict[str, str]:
    """A minimal Java-properties reader: enough to check our own escaping round-trips."""
    unescape = {"n": "\n", "r": "\r", "t": "\t"}

    def decode(text: str) -> str:
        return re.sub(r"\\(.)", lambda m: unescape.get(m[1], m[1]), text)

    result = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key = re.match(r"(?:\\.|[^=\\])*", line)
        assert key is not None
        raw_key, raw_value = key.group(0), line[key.end() + 1 :]
        result[decode(raw_key)] = decode(raw_value)
    return result


def test_environment_properties_round_trip(tmp_path: Path) -> None:
    info = {
        "Target": "https://staging.askproai.de",
        "App version": "2.4.1",
        "Gate commit": "abc123",
        "Note": "line one\nline two = fine",
    }

    write_environment(tmp_path, info)

    assert read_properties(tmp_path / "environment.properties") == info


GITHUB_ENV = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_SERVER_URL": "https://github.example",
    "GITHUB_REPOSITORY": "askpro/gateway",
    "GITHUB_RUN_ID": "987654",
    "GITHUB_RUN_NUMBER": "42",
    "GITHUB_RUN_ATTEMPT": "2",
    "GITHUB_WORKFLOW": "Staging validation",
}


def test_executor_describes_the_github_actions_run() -> None:
    info = executor_info(GITHUB_ENV)

    assert info == {
        "name": "GitHub Actions",
        "type": "github",
        "url": "https://github.example/askpro/gateway",
        "buildName": "Staging validation #42 (2)",
        "buildUrl": "https://github.example/askpro/gateway/actions/runs/987654",
        "buildOrder": 42,
        "reportName": "Staging Gate",
    }


def test_executor_outside_ci_is_local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)

    write_executor(tmp_path)

    info = json.loads((tmp_path / "executor.json").read_text(encoding="utf-8"))
    assert info["type"] == "local"
    assert info["name"].startswith("local (")


def test_categories_cover_defects_gate_problems_refusals_and_flaky(tmp_path: Path) -> None:
    write_categories(tmp_path)

    categories = json.loads((tmp_path / "categories.json").read_text(encoding="utf-8"))
    by_status = {
        c["name"]: (tuple(c["matchedStatuses"]), c.get("flaky", False)) for c in categories
    }
    assert by_status == {
        "Refused by the production guard (not verified)": (("skipped",), False),
        "Could not verify (gate could not measure — not an application failure)": (
            ("skipped",),
            False,
        ),
        "Flaky (failed, then passed on retry)": (("passed", "failed", "broken"), True),
        "Application defect (check failed)": (("failed",), False),
        "Gate or infrastructure problem (check broken)": (("broken",), False),
    }
    refusal = re.compile(categories[0]["messageRegex"])
    assert refusal.fullmatch("Skipped: Refused by production guard: host is api.askproai.de")
    assert not refusal.fullmatch("Skipped: not applicable")
    unverified = re.compile(categories[1]["messageRegex"])
    assert unverified.fullmatch("Skipped: Could not verify: counters were reset — fix: rerun")
    assert not unverified.fullmatch("Skipped: not applicable")
