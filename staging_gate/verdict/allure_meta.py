"""Run metadata Allure shows next to the results: environment, executor (CI run), categories.

All three are files in the allure-results directory, in the formats Allure 2 defined and
Allure 3 still reads: ``environment.properties``, ``executor.json``, ``categories.json``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
from collections.abc import Mapping
from pathlib import Path

from staging_gate import resources

logger = logging.getLogger(__name__)

#: The report's failure categories: application defect, gate problem, refused, flaky.
CATEGORIES_FILE = resources.report_asset("categories.json")
_PROPERTY_SPECIALS = str.maketrans(
    {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "=": "\\=", ":": "\\:", " ": "\\ "}
)
_VALUE_SPECIALS = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _property_line(key: str, value: str) -> str:
    """One Java-properties line; keys escape separators, values keep them readable."""
    return f"{key.translate(_PROPERTY_SPECIALS)}={value.translate(_VALUE_SPECIALS)}"


def write_environment(results_dir: Path, info: Mapping[str, str]) -> None:
    """``environment.properties``: target, environment, app and gate versions, commit."""
    results_dir.mkdir(parents=True, exist_ok=True)
    lines = [_property_line(key, str(value)) for key, value in info.items()]
    (results_dir / "environment.properties").write_text("\n".join(lines) + "\n", "utf-8")


def executor_info(env: Mapping[str, str]) -> dict[str, str | int]:
    """Allure's executor block: the GitHub Actions run when there is one, else this host."""
    repository = env.get("GITHUB_REPOSITORY")
    run_id = env.get("GITHUB_RUN_ID")
    if env.get("GITHUB_ACTIONS") == "true" and repository and run_id:
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        run_number = env.get("GITHUB_RUN_NUMBER", "")
        attempt = env.get("GITHUB_RUN_ATTEMPT", "1")
        info: dict[str, str | int] = {
            "name": "GitHub Actions",
            "type": "github",
            "url": f"{server}/{repository}",
            "buildName": f"{env.get('GITHUB_WORKFLOW', 'workflow')} #{run_number} ({attempt})",
            "buildUrl": f"{server}/{repository}/actions/runs/{run_id}",
            "reportName": "Staging Gate",
        }
        if run_number.isdigit():
            info["buildOrder"] = int(run_number)
        return info
    host = socket.gethostname()
    return {"name": f"local ({host})", "type": "local", "buildName": f"staging-gate on {host}"}


def write_executor(results_dir: Path) -> None:
    """``executor.json`` from the GitHub Actions variables when present, else a local one."""
    results_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(executor_info(os.environ), indent=2)
    (results_dir / "executor.json").write_text(text + "\n", "utf-8")


def write_categories(results_dir: Path) -> None:
    """Copy ``reports/categories.json`` into the results (failure categories of the report)."""
    if not CATEGORIES_FILE.is_file():
        logger.warning("report categories not written: %s is missing", CATEGORIES_FILE)
        return
    results_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CATEGORIES_FILE, results_dir / "categories.json")
