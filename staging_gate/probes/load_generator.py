"""Is the load generator itself the bottleneck? And the exact timings of several Locust
processes, merged into one set.

Locust warns when one of its processes is above 90 % CPU ("CPU usage above 90%! ... may even
give inconsistent response time measurements", ``locust.runners.CPU_WARNING_THRESHOLD``),
averaged over its own monitor interval. A saturated generator measures its own queue, not
the target: its percentiles are neither a pass nor a fail. Every Locust process of a run
(standalone, ``--processes`` children, external workers) samples its own CPU once a second
(psutil, as Locust does) and the master writes all samples to one file; this module judges
them with the same rule — a 5-second average above the threshold.

With ``--processes`` or external workers each process keeps exact timings of its own
requests; the master collects them (Locust's ``send_message``) and the p95 per request name
is computed from all of them together, never from Locust's bucketed percentiles.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

#: Locust's own messages when a process (or a worker, as seen by the master) is CPU bound.
LOCUST_CPU_WARNINGS = ("CPU usage above", "exceeded cpu threshold")
#: Seconds averaged before judging, like Locust's warning (its monitor samples at intervals).
WINDOW_SECONDS = 5


@dataclass(frozen=True)
class GeneratorCpu:
    """One Locust process: who it was and its CPU (% of one core) sampled once a second."""

    process: str  # e.g. "worker 2 (pid 4711 on ci-runner-3)"
    samples: tuple[float, ...]

    def peak(self, window: int = WINDOW_SECONDS) -> float:
        """The highest average over `window` consecutive samples (all of them if fewer)."""
        if not self.samples:
            return 0.0
        width = min(window, len(self.samples))
        return max(
            sum(self.samples[start:start + width]) / width
            for start in range(len(self.samples) - width + 1)
        )

    def to_json(self) -> dict[str, object]:
        return {"process": self.process, "samples": list(self.samples)}


@dataclass(frozen=True)
class Saturation:
    """The busiest generator process, when it was too busy to trust its figures."""

    process: str
    cpu_percent: float | None  # None: only Locust's own warning says so

    def describe(self) -> str:
        if self.cpu_percent is None:
            return f"load generator saturated (Locust reported CPU above 90 % in {self.process})"
        return (f"load generator saturated at {self.cpu_percent:.0f} % CPU ({self.process}, "
                f"{WINDOW_SECONDS} s average)")


SATURATION_FIX = (
    "spread the load over more generator processes: budgets.load.processes (CPU cores of this "
    "machine) or budgets.load.workers (external workers, `staging-gate load-worker`), or lower "
    "budgets.load.users"
)


def saturation(generators: Sequence[GeneratorCpu], threshold_percent: float,
               locust_log: str = "") -> Saturation | None:
    """The generator process whose 5 s CPU average reached `threshold_percent` (the busiest
    one), or — without samples over it — Locust's own warning in its log; None if neither."""
    peaks = sorted(((g.peak(), g.process) for g in generators), reverse=True)
    if peaks and peaks[0][0] >= threshold_percent:
        return Saturation(peaks[0][1], round(peaks[0][0], 1))
    if locust_warned_cpu(locust_log):
        return Saturation("its log", None)
    return None


def locust_warned_cpu(log_text: str) -> bool:
    """True when Locust logged its high-CPU warning (standalone or for a worker)."""
    return any(marker in log_text for marker in LOCUST_CPU_WARNINGS)


def read_generators(path: Path) -> list[GeneratorCpu]:
    """The CPU samples the locustfile wrote (``[{"process": str, "samples": [float]}]``);
    [] when the file is missing or not that shape."""
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return []
    if not isinstance(data, list):
        return []
    return [GeneratorCpu(str(entry.get("process", "?")),
                         tuple(float(s) for s in entry.get("samples", ())
                               if isinstance(s, int | float)))
            for entry in data if isinstance(entry, dict)]


def merge_timings(parts: Iterable[Mapping[str, Sequence[float]]]) -> dict[str, list[float]]:
    """Exact response times (ms) per ``METHOD name`` from several processes, as one set."""
    merged: dict[str, list[float]] = {}
    for part in parts:
        for key, samples in part.items():
            merged.setdefault(key, []).extend(float(s) for s in samples)
    return merged
