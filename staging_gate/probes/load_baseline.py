"""Baseline-relative load budgets: each request's p95 against the same request in earlier
GO runs, as the report history keeps them (`staging_gate.verdict.run_history`).

Absolute budgets (2 s, 3 s, 500 ms) catch a slow page; they miss an API that went from 40 ms
to 400 ms. A slowdown here is: p95 above the baseline × ``factor`` *and* at least
``min_slowdown_ms`` above it, where the baseline is the median p95 of the last ``runs`` GO
runs that measured that request — one noisy run neither makes nor hides a regression, and a
few milliseconds of jitter on a 5 ms route never count.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from staging_gate.probes.performance import BudgetRule, RequestStats, judge
from staging_gate.profile import LoadBaseline


@dataclass(frozen=True)
class RunFigures:
    """One gate run as the history keeps it: verdict and exact p95 (ms) per ``METHOD name``."""

    verdict: str
    time: str  # ISO 8601, UTC
    p95_ms: Mapping[str, float]

    def to_json(self) -> dict[str, object]:
        return {"verdict": self.verdict, "time": self.time, "load_p95_ms": dict(self.p95_ms)}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> RunFigures:
        raw = data.get("load_p95_ms")
        figures = {str(k): float(v) for k, v in raw.items()
                   if isinstance(v, int | float)} if isinstance(raw, dict) else {}
        return cls(str(data.get("verdict", "")), str(data.get("time", "")), figures)


@dataclass(frozen=True)
class Baseline:
    p95_ms: float
    runs: int  # how many GO runs the median is over


@dataclass(frozen=True)
class Slowdown:
    label: str
    p95_ms: float
    baseline: Baseline
    factor: float

    def describe(self) -> str:
        ratio = self.p95_ms / self.baseline.p95_ms if self.baseline.p95_ms else float("inf")
        runs = f"{self.baseline.runs} GO run{'' if self.baseline.runs == 1 else 's'}"
        return (f"p95 of {self.label} was {self.p95_ms:.0f} ms, {ratio:.1f}× its baseline "
                f"{self.baseline.p95_ms:.0f} ms (median of the last {runs}); "
                f"allowed ×{self.factor:g}")


def baseline(history: Sequence[RunFigures], label: str, runs: int) -> Baseline | None:
    """Median p95 of `label` over the last `runs` GO runs that measured it (history is oldest
    first); None when no GO run did."""
    samples = [run.p95_ms[label] for run in history
               if run.verdict == "GO" and label in run.p95_ms][-runs:]
    if not samples:
        return None
    return Baseline(round(statistics.median(samples), 1), len(samples))


def slowdowns(stats: Sequence[RequestStats], history: Sequence[RunFigures], *, factor: float,
              min_slowdown_ms: float, runs: int) -> list[Slowdown]:
    """The requests whose exact p95 is beyond their baseline (see the module docstring).
    Requests without exact timings or without a baseline are not judged."""
    found: list[Slowdown] = []
    for entry in stats:
        if not entry.exact or not entry.requests:
            continue
        base = baseline(history, entry.label, runs)
        if base is None:
            continue
        if entry.p95_ms > base.p95_ms * factor and entry.p95_ms - base.p95_ms >= min_slowdown_ms:
            found.append(Slowdown(entry.label, entry.p95_ms, base, factor))
    return found


def figures_of(stats: Sequence[RequestStats]) -> dict[str, float]:
    """What the history keeps of a run: exact p95 per request that was measured."""
    return {entry.label: entry.p95_ms for entry in stats if entry.exact and entry.requests}


# --- the trend chart: p95 per request over the last runs ----------------------------------------

def trend_svg(history: Sequence[RunFigures], current: Mapping[str, float], last: int = 10) -> str:
    """One row per request: its p95 over the last runs as a line (this run last, as a dot);
    '' when there is nothing to draw. Plain SVG, no script."""
    runs = [*[run.p95_ms for run in history][max(0, len(history) - last + 1):], current]
    labels = sorted({label for figures in runs for label in figures})
    if not labels or not current:
        return ""
    width, label_w, plot_w, row_h = 760, 300, 360, 24
    height = 30 + row_h * len(labels)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             'font-family="sans-serif" font-size="12">',
             f'<text x="4" y="14" font-weight="bold">p95 per request over the last {len(runs)} '
             'runs (ms; dot = this run)</text>']
    step = plot_w / max(1, len(runs) - 1)
    for index, label in enumerate(labels):
        y0 = 24 + index * row_h
        values = [figures.get(label) for figures in runs]
        known = [v for v in values if v is not None]
        top = max(known) or 1.0
        points = [(label_w + i * step, y0 + row_h - 4 - (row_h - 8) * v / top)
                  for i, v in enumerate(values) if v is not None]
        parts.append(f'<text x="4" y="{y0 + 15}">{_xml(label)}</text>')
        if len(points) > 1:
            line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{line}" fill="none" stroke="#5b9bd5" '
                         'stroke-width="1.5"/>')
        now = current.get(label)
        if now is not None:
            x, y = points[-1]
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1d2433"/>')
            parts.append(f'<text x="{label_w + plot_w + 10}" y="{y0 + 15}">{now:.0f}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class BudgetVerdict:
    """One budget judged: the requests it covers, its problems (budget, failures, and the
    slowdowns when the baseline blocks) and the slowdowns that are advisory only."""

    covered: list[RequestStats]
    problems: list[str]
    advisory: list[str]


def budget_verdict(stats: Sequence[RequestStats], rule: BudgetRule, max_failure_ratio: float,
                   history: Sequence[RunFigures], baseline: LoadBaseline) -> BudgetVerdict:
    """`rule`'s requests judged (`performance.judge`: p95 in ms, failure ratio) and compared
    with the last GO runs (`slowdowns`, settings `budgets.baseline`): a slowdown is a
    problem when `baseline.blocking`, else advisory."""
    covered = [s for s in stats if rule.covers(s.name)]
    problems = judge(stats, rule, max_failure_ratio)
    slower = [s.describe() for s in slowdowns(
        covered, history, factor=baseline.factor,
        min_slowdown_ms=baseline.min_slowdown_ms, runs=baseline.runs)]
    if slower and baseline.blocking:
        return BudgetVerdict(covered, problems + slower, [])
    return BudgetVerdict(covered, problems, slower)
