"""Drive the embedded reference target from the outside (subprocess, never an import):
start it, render `profiles/reference.toml` for its state folder, stop it."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from staging_gate import resources
from staging_gate.errors import ConfigError

PROFILE_TEMPLATE = resources.profile_template("reference.toml")


@dataclass(frozen=True)
class ReferenceTarget:
    state_dir: Path
    endpoints: dict[str, object]

    @property
    def secrets(self) -> dict[str, str]:
        raw = self.endpoints.get("secrets", {})
        return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}

    @property
    def profile_path(self) -> Path:
        return self.state_dir / "profile.toml"


def reference_command(state_dir: Path, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "reference_target",
        *args[:1],
        "--state-dir",
        str(state_dir),
        *args[1:],
    ]


def _run(argv: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, check=False,
            cwd=resources.source_checkout(),
        )
    except subprocess.TimeoutExpired:
        raise ConfigError(
            f"reference target: {' '.join(argv[2:4])} took over {timeout:.0f}s"
        ) from None


def start(state_dir: Path, timeout: float = 180.0) -> ReferenceTarget:
    """`up` the reference target in `state_dir` and render its profile."""
    state_dir = state_dir.resolve()
    completed = _run(reference_command(state_dir, "up"), timeout)
    if completed.returncode != 0:
        tail = (completed.stderr or completed.stdout).strip().splitlines()[-5:]
        raise ConfigError("reference target did not start: " + " | ".join(tail))
    endpoints = json.loads((state_dir / "endpoints.json").read_text(encoding="utf-8"))
    target = ReferenceTarget(state_dir, endpoints)
    render_profile(target)
    return target


def stop(state_dir: Path, timeout: float = 60.0) -> None:
    _run(reference_command(state_dir.resolve(), "down"), timeout)


def defect(state_dir: Path, action: str, *names: str, timeout: float = 120.0) -> None:
    completed = _run(reference_command(state_dir.resolve(), "defect", action, *names), timeout)
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip()
        raise ConfigError(f"reference target: defect {action} {' '.join(names)} failed: {detail}")


def render_profile(target: ReferenceTarget, template: Path = PROFILE_TEMPLATE) -> Path:
    endpoints = target.endpoints
    tokens = {
        "@BASE_URL@": str(endpoints["base_url"]),
        "@HTTP_URL@": str(endpoints["http_url"]),
        "@CA_BUNDLE@": str(endpoints["ca_bundle"]),
        "@STATE_DIR@": str(target.state_dir),
        "@PYTHON@": sys.executable,
        "@LOG_FILE@": str(endpoints["log_file"]),
    }
    text = template.read_text(encoding="utf-8")
    for token, value in tokens.items():
        text = text.replace(token, value.replace("\\", "\\\\"))
    target.profile_path.write_text(text, encoding="utf-8")
    return target.profile_path
