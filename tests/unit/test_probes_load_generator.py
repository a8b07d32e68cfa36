"""Is the load generator the bottleneck? Merged exact timings of several Locust processes."""

import json

import pytest

from staging_gate.probes.load_generator import (
    GeneratorCpu,
    Saturation,
    merge_timings,
    read_generators,
    saturation,
)


@pytest.mark.parametrize("samples, peak", [
    ((), 0.0),
    ((40.0,), 40.0),
    ((10, 20, 30), 20.0),                      # fewer than 5 samples: their mean
    ((0, 0, 100, 100, 100, 100, 100, 0), 100.0),  # 5 s at 100 %: saturated
    ((100, 0, 100, 0, 100, 0, 100), 60.0),     # spikes are not a saturated generator
])
def test_peak_is_the_busiest_5_second_average(samples, peak):
    assert GeneratorCpu("p", tuple(float(s) for s in samples)).peak() == pytest.approx(peak)


def test_the_busiest_process_over_the_threshold_is_named():
    generators = [GeneratorCpu("master", (1.0,) * 8),
                  GeneratorCpu("worker 0", (95.0,) * 6),
                  GeneratorCpu("worker 1", (99.0,) * 6)]
    found = saturation(generators, 90.0)
    assert found == Saturation("worker 1", 99.0)
    assert found.describe().startswith("load generator saturated at 99 % CPU (worker 1")


def test_a_calm_generator_is_trusted():
    assert saturation([GeneratorCpu("locust", (5.0, 80.0, 85.0, 20.0, 3.0))], 90.0) is None


def test_locusts_own_cpu_warning_counts_even_without_samples():
    log = "[2026] vm/WARNING/root: CPU usage above 90%! This may constrain your throughput"
    found = saturation([], 90.0, log)
    assert found is not None and found.cpu_percent is None
    assert "Locust reported CPU above 90 %" in found.describe()
    worker_log = "Worker vm_abc (index 1) exceeded cpu threshold (will only log this once)"
    assert saturation([], 90.0, worker_log) is not None


def test_timings_of_all_processes_are_one_set():
    merged = merge_timings([{"GET /": [1.0, 2.0]}, {"GET /": [3.0], "GET /api": [9.5]}, {}])
    assert merged == {"GET /": [1.0, 2.0, 3.0], "GET /api": [9.5]}


@pytest.mark.parametrize("content, expected", [
    ('[{"process": "w0", "samples": [1, 2.5, "x"]}]', [GeneratorCpu("w0", (1.0, 2.5))]),
    ('{"not": "a list"}', []),
    ("not json", []),
    ('[1, {"samples": []}]', [GeneratorCpu("?", ())]),
])
def test_generator_files_are_read_defensively(tmp_path, content, expected):
    path = tmp_path / "generators.json"
    path.write_text(content, encoding="utf-8")
    assert read_generators(path) == expected


def test_a_missing_generator_file_is_no_samples(tmp_path):
    assert read_generators(tmp_path / "none.json") == []
    assert json.loads(json.dumps(GeneratorCpu("p", (1.0,)).to_json())) == {
        "process": "p", "samples": [1.0]}
