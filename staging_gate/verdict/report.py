"""The HTML report: Allure 3 (npm package ``allure``) rendered into one offline file.

The sign-off is the first thing to read: its verdict and phase statuses go into Allure's
report variables, ``signoff.md`` is attached as a global attachment, and a sign-off panel
is placed above Allure's own page. History is carried between runs through Allure 3's
``historyPath`` (a JSONL file): the previous run's file is copied in and Allure appends
this run to it, so the report shows trends.

The report is evidence, never the verdict: without Node or the npm package, or when
Allure fails, `render_report` logs one line and returns None.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from staging_gate import resources
from staging_gate.errors import ConfigError
from staging_gate.verdict.report_html import inject_panel, signoff_panel
from staging_gate.verdict.signoff import Signoff, read_signoff

logger = logging.getLogger(__name__)



def _node_modules() -> Path:
    """Where the npm package ``allure`` (3.x) is looked for: the checkout's ``node_modules``
    (``npm ci``), else, for an installed gate, the working folder's (``npm i allure@3``)."""
    checkout = resources.source_checkout()
    for root in ([checkout] if checkout else []) + [Path.cwd()]:
        if (root / "node_modules" / "allure" / "cli.js").is_file():
            return root / "node_modules"
    return (checkout or Path.cwd()) / "node_modules"


NODE_MODULES = _node_modules()
ALLURE_CLI = NODE_MODULES / "allure" / "cli.js"
HISTORY_FILE = "history.jsonl"
REPORT_NAME = "Staging Gate — release sign-off"
_TIMEOUT_SECONDS = 300


def find_node() -> str | None:
    """A Node binary: the project's own ``node@22`` package if installed, else the PATH's."""
    local = NODE_MODULES / ".bin" / "node"
    if local.is_file():
        return str(local)
    return shutil.which("node")


def _signoff_near(results_dir: Path, report_dir: Path) -> Signoff | None:
    """The ``signoff.json`` the CLI wrote beside the results or the report, if any."""
    for folder in (report_dir.parent, results_dir.parent):
        candidate = folder / "signoff.json"
        if candidate.is_file():
            try:
                return read_signoff(candidate)
            except ConfigError as error:
                logger.warning("report without sign-off panel: %s", error)
                return None
    return None


def _variables(signoff: Signoff) -> dict[str, str]:
    variables = {
        "Verdict": signoff.verdict + (" (partial run)" if signoff.partial else ""),
        "Blocking reasons": str(len(signoff.reasons)),
    }
    for phase in signoff.phases:
        kind = "required" if phase.required else "advisory"
        variables[f"Phase {phase.phase}"] = f"{phase.status} · {kind} · {phase.counts.ran} ran"
    return variables


def _config(
    results_dir: Path, report_dir: Path, history: Path, signoff: Signoff | None
) -> dict[str, object]:
    config: dict[str, object] = {
        "name": REPORT_NAME,
        "output": str(report_dir),
        "historyPath": str(history),
        "plugins": {
            "awesome": {
                "options": {
                    "singleFile": True,
                    "reportName": REPORT_NAME,
                    "reportLanguage": "en",
                    "groupBy": ["epic", "story"],
                }
            }
        },
    }
    if signoff is not None:
        config["variables"] = _variables(signoff)
    markdown = results_dir.parent / "signoff.md"
    if markdown.is_file():
        config["globalAttachments"] = [str(markdown)]
    return config


def _carry_history(previous: Path | None, report_dir: Path) -> Path:
    """This run's history file, seeded with the previous run's when one is given."""
    history = report_dir.parent / f"{report_dir.name}-{HISTORY_FILE}"
    if previous is not None:
        if previous.is_file() and previous.resolve() != history.resolve():
            shutil.copyfile(previous, history)
        elif not previous.is_file():
            logger.warning("report history: %s not found, starting a new history", previous)
    return history


def _run_allure(node: str, results_dir: Path, config: dict[str, object]) -> str | None:
    """Run ``allure generate``; the error text on failure, None on success."""
    with tempfile.TemporaryDirectory(prefix="staging-gate-allure-") as workdir:
        config_path = Path(workdir) / "allurerc.json"
        config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
        command = [
            node,
            str(ALLURE_CLI),
            "generate",
            str(results_dir),
            "--config",
            str(config_path),
        ]
        try:
            done = subprocess.run(
                command,
                cwd=workdir,
                capture_output=True,
                text=True,
                timeout=_TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return str(error)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return f"exit {done.returncode}: {lines[-1] if lines else 'no output'}"
    return None


def render_report(
    results_dir: Path,
    report_dir: Path,
    history: Path | None = None,
    *,
    signoff: Signoff | None = None,
    trend: str = "",
) -> Path | None:
    """Render ``report_dir/index.html`` (one file, opens offline); None if it cannot.

    ``signoff`` defaults to the ``signoff.json`` written beside ``results_dir`` or
    ``report_dir``; ``history`` is the previous run's history file (JSONL). This run's
    history is written next to the report as ``<report_dir>-history.jsonl``: pass it as
    ``history`` next time. ``trend`` is an SVG placed in the sign-off panel (load p95 per
    request over the last runs).
    """
    node = find_node()
    if node is None or not ALLURE_CLI.is_file():
        missing = "node" if node is None else f"the npm package allure ({ALLURE_CLI})"
        logger.warning(
            "HTML report skipped: %s not installed (run npm ci in the checkout, or "
            "npm i allure@3 in the working folder)", missing
        )
        return None
    signoff = signoff or _signoff_near(results_dir, report_dir)
    if report_dir.is_dir():
        shutil.rmtree(report_dir)  # never leave the previous run's report to be uploaded
    report_dir.mkdir(parents=True)
    history_file = _carry_history(history, report_dir)
    config = _config(results_dir.resolve(), report_dir.resolve(), history_file.resolve(), signoff)
    error = _run_allure(node, results_dir.resolve(), config)
    index = report_dir / "index.html"
    if error is not None or not index.is_file():
        logger.warning("HTML report skipped: allure generate failed (%s)", error or "no index")
        return None
    if signoff is not None:
        inject_panel(index, signoff_panel(signoff, trend=trend))
    return index
