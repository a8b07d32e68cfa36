"""The load test spread over `--processes 2` on the reference target: every process's exact
timings reach the master, p95 is computed from all of them, every process's CPU is watched —
and a generator busier than the profile allows makes the load checks "could not verify"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from staging_gate.probes.performance import percentile, read_timings
from staging_gate.profile import load_profile
from staging_gate.run import load, reference
from tests.matrix.harness import run_pytest


def with_load(target: reference.ReferenceTarget, tmp_path: Path, shape: str) -> Path:
    text = target.profile_path.read_text(encoding="utf-8")
    text, count = re.subn(r"(?m)^load = \{.*\}$", f"load = {{ {shape} }}", text)
    assert count == 1
    profile_path = tmp_path / "profile.toml"
    profile_path.write_text(text, encoding="utf-8")
    return profile_path


def test_two_processes_are_judged_on_their_merged_exact_timings(
    reference_target: reference.ReferenceTarget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in reference_target.secrets.items():
        monkeypatch.setenv(name, value)
    profile_path = with_load(reference_target, tmp_path,
                             "users = 6, spawn_rate = 6, duration_seconds = 6, processes = 2")

    result = load.run(load_profile(profile_path), tmp_path / "locust")

    assert result.command[result.command.index("--processes") + 1] == "2"
    processes = sorted(g.process.split(" (")[0] for g in result.generators)
    assert processes == ["master", "worker 0", "worker 1"], result.generators
    assert all(g.samples for g in result.generators if g.process.startswith("worker"))
    timings = read_timings(result.files.timings)
    measured = [s for s in result.stats if s.requests]
    assert measured and all(s.exact for s in measured), result.stats
    for entry in measured:  # workers stop before their snapshot: every request is in it
        assert len(timings[entry.label]) == entry.requests, entry
        assert entry.p95_ms == round(percentile(timings[entry.label]), 1)
    assert result.saturated is None, result.saturated


def test_a_saturated_generator_makes_the_load_checks_could_not_verify(
    reference_target: reference.ReferenceTarget, tmp_path: Path
) -> None:
    # Any Locust process is "saturated" at 0.01 % CPU: the wiring, not the machine, is tested.
    profile_path = with_load(reference_target, tmp_path, "users = 2, spawn_rate = 2, "
                             "duration_seconds = 6, max_generator_cpu_percent = 0.01")

    run = run_pytest(profile_path, reference_target.secrets, tmp_path / "junit.xml",
                     ["test_P6_1_homepage_p95_within_budget"])

    (outcome,) = run.outcomes["test_P6_1_homepage_p95_within_budget"]
    assert outcome.status == "skipped", run.explain()
    assert re.search(r"Could not verify: load generator saturated at \d+ % CPU \(locust "
                     r"\(pid \d+ .*fix: .*budgets\.load\.processes", outcome.message), outcome
