"""Drive the embedded reference target from the outside (subprocess, never an import):
start it, render its dialect's profile (`profiles/reference.toml`,
`profiles/reference-filament.toml`) for its state folder, stop it."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from staging_gate import resources
from staging_gate.errors import ConfigError

PROFILE_TEMPLATE = resources.profile_template("reference.toml")
#: The reference target's dialects (how the deployment is built) and their profile templates.
DIALECTS: dict[str, Path] = {
    "reference": PROFILE_TEMPLATE,
    "filament": resources.profile_template("reference-filament.toml"),
}


@dataclass(frozen=True)
class ReferenceTarget:
    state_dir: Path
    endpoints: dict[str, object]

    @property
    def secrets(self) -> dict[str, str]:
        raw = self.endpoints.get("secrets", {})
        return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}

    @property
    def dialect(self) -> str:
        return str(self.endpoints.get("dialect", "reference"))

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


def start(state_dir: Path, timeout: float = 180.0, dialect: str = "reference") -> ReferenceTarget:
    """`up` the reference target of `dialect` in `state_dir` and render its profile."""
    if dialect not in DIALECTS:
        raise ConfigError(f"unknown reference dialect {dialect!r} (known: {', '.join(DIALECTS)})")
    state_dir = state_dir.resolve()
    completed = _run(reference_command(state_dir, "up", "--dialect", dialect), timeout)
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


PRODUCTION_PROFILE_TEMPLATE = resources.profile_template("reference-production.toml")


def render_production_profile(target: ReferenceTarget) -> Path:
    """The reference target's production profile (verify-production), next to its profile."""
    return render_profile(target, PRODUCTION_PROFILE_TEMPLATE,
                          target.state_dir / "production-profile.toml")


def render_profile(
    target: ReferenceTarget, template: Path | None = None, out: Path | None = None
) -> Path:
    """Write the profile of `target`'s dialect (or `template`) with its @TOKENS@ filled, to
    `out` (default: the state folder's profile.toml)."""
    template = template or DIALECTS.get(target.dialect, PROFILE_TEMPLATE)
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
    path = out or target.profile_path
    path.write_text(text, encoding="utf-8")
    return path
