"""The gate's run history: verdict and load p95 per request of every run, kept in the report
history file (``OUT/report-history.jsonl``) that CI already carries between runs (``--history``).

That file is Allure 3's history (one JSON object per line, one line per report; Allure copies
earlier lines byte for byte and appends its own). The gate adds its figures to this run's line
under the key ``stagingGate``; when no Allure line was written (no Node, Allure failed), it
appends a line of its own in Allure's shape (empty ``testResults``), so the history never
depends on the HTML report.

Inputs of the checks (environment, set by ``staging-gate run``, or by hand with plain pytest):
``STAGING_GATE_HISTORY`` — the previous history file to judge against;
``STAGING_GATE_LOAD_FIGURES`` — where the load checks leave this run's p95 per request.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
import uuid
from pathlib import Path

from staging_gate.probes.load_baseline import RunFigures

logger = logging.getLogger(__name__)

HISTORY_KEY = "stagingGate"
ENV_HISTORY = "STAGING_GATE_HISTORY"
ENV_LOAD_FIGURES = "STAGING_GATE_LOAD_FIGURES"


def read_runs(path: Path | None) -> list[RunFigures]:
    """The gate's figures of every run in a history file, oldest first; lines without them
    (Allure-only lines, broken lines) are skipped. A missing file is an empty history."""
    if path is None or not path.is_file():
        return []
    runs: list[RunFigures] = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        figures = entry.get(HISTORY_KEY) if isinstance(entry, dict) else None
        if isinstance(figures, dict):
            runs.append(RunFigures.from_json(figures))
    return runs


def read_figures(path: Path) -> dict[str, float]:
    """This run's p95 per request as the load checks wrote it ({} if they did not run)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in data.items()
            if isinstance(v, int | float)} if isinstance(data, dict) else {}


def write_figures(path: Path, figures: dict[str, float]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=1), encoding="utf-8")


def record_run(history_file: Path, figures: RunFigures, *, previous: Path | None,
               allure_appended: bool) -> None:
    """Add this run's figures to `history_file`: into the line Allure just appended, or as a
    line of its own (after carrying `previous` over, as the report would have)."""
    if allure_appended and history_file.is_file():
        lines = history_file.read_text(encoding="utf-8").splitlines()
        if lines:
            try:
                last = json.loads(lines[-1])
            except ValueError:
                last = None
            if isinstance(last, dict):
                last[HISTORY_KEY] = figures.to_json()
                lines[-1] = json.dumps(last, ensure_ascii=False)
                history_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
                return
    if previous is not None and previous.is_file() and (
            not history_file.exists() or previous.resolve() != history_file.resolve()):
        history_file.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(previous, history_file)
    line = {"uuid": str(uuid.uuid4()), "name": "Staging Gate", "timestamp": int(time.time() * 1000),
            "knownTestCaseIds": [], "testResults": {}, "metrics": {}, "url": "",
            HISTORY_KEY: figures.to_json()}
    with history_file.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
