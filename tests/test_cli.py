"""`staging-gate` exit codes: a gate that cannot judge says so in one line and exits 2."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.profile_factory import COMPLETE_SECRETS as SECRETS
from tests.profile_factory import write_profile

TIME_LIMIT_SECONDS = 15


def gate(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "staging_gate", *args],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT_SECONDS,
        env={**os.environ, **(env or {})},
        check=False,
    )


def assert_cannot_judge(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    __tracebackhide__ = True
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, f"exit {result.returncode}, stderr: {result.stderr}"
    assert len(lines) == 1, f"expected one line, got: {result.stderr}"
    assert lines[0].startswith("staging-gate: error: ")
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.stderr + result.stdout


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts TCP connections and never answers: a hanging target."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    try:
        yield server.getsockname()[1]
    finally:
        server.close()


def test_malformed_toml(tmp_path: Path) -> None:
    bad = tmp_path / "broken.toml"
    bad.write_text('[target\nbase_url = "https://x"\n', encoding="utf-8")
    assert_cannot_judge(gate("run", "--profile", str(bad)), "broken.toml is not valid TOML")


def test_invalid_profile_value(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, complete=True, base_url="not a url")
    assert_cannot_judge(gate("run", "--profile", str(profile)), "[target.base_url]")


def test_missing_secret(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, complete=True)
    env = {name: "" for name in SECRETS}
    assert_cannot_judge(
        gate("run", "--profile", str(profile), env=env),
        "missing secret environment variable(s) SG_TEST_DB_DSN, SG_TEST_REDIS_URL, SG_TEST_A_",
    )


def test_profile_lacking_what_a_phase_needs(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, complete=True)
    profile.write_text(profile.read_text().replace('toggle_command = ["true"]', ""))
    assert_cannot_judge(
        gate("run", "--profile", str(profile), env=SECRETS),
        "lacks flags.toggle_command (needed by phase boot, security)",
    )


def test_malformed_dsn_is_configuration(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, complete=True)
    env = {**SECRETS, "SG_TEST_DB_DSN": "postgres://x@y/z"}
    assert_cannot_judge(gate("run", "--profile", str(profile), env=env), "SG_TEST_DB_DSN must")


def test_unreachable_target(tmp_path: Path, free_port: int) -> None:
    profile = write_profile(tmp_path, complete=True, base_url=f"https://127.0.0.1:{free_port}")
    started = time.monotonic()
    result = gate("run", "--profile", str(profile), env=SECRETS)
    assert_cannot_judge(result, f"https://127.0.0.1:{free_port} is unreachable")
    assert time.monotonic() - started < TIME_LIMIT_SECONDS


def test_hanging_target(tmp_path: Path, silent_server: int) -> None:
    profile = write_profile(tmp_path, complete=True, base_url=f"https://127.0.0.1:{silent_server}")
    result = gate("run", "--profile", str(profile), env=SECRETS)
    assert_cannot_judge(result, "sent no answer")


def test_unknown_phase_is_rejected(tmp_path: Path) -> None:
    result = gate(
        "run", "--profile", str(write_profile(tmp_path, complete=True)), "--phase", "nope"
    )
    assert result.returncode == 2
    assert "unknown phase nope" in result.stderr


def test_check_profile_accepts_the_askpro_profile() -> None:
    root = Path(__file__).resolve().parents[1]
    env = {
        name: "x"
        for name in (
            "STAGING_DB_DSN",
            "STAGING_REDIS_URL",
            "TENANT_A_EMAIL",
            "TENANT_A_PASSWORD",
            "TENANT_B_EMAIL",
            "TENANT_B_PASSWORD",
            "ADMIN_EMAIL",
            "ADMIN_PASSWORD",
        )
    }
    result = gate("check-profile", str(root / "profiles" / "askpro-staging.toml"), env=env)
    assert result.returncode == 0, result.stderr
    assert "https://staging.askproai.de" in result.stdout


def test_check_profile_judges_a_production_profile_for_verify_production(
    tmp_path: Path,
) -> None:
    """A production profile needs no secret (nothing logs in or connects); one that names a
    state-changing command is refused, as verify-production would refuse it."""
    root = Path(__file__).resolve().parents[1]
    production = root / "profiles" / "askpro-production.toml"
    unset = {name: "" for name in ("STAGING_DB_DSN", "STAGING_REDIS_URL", "TENANT_A_EMAIL")}
    result = gate("check-profile", str(production), env=unset)
    assert result.returncode == 0, result.stderr
    assert "valid for `staging-gate verify-production`" in result.stdout
    assert "https://api.askproai.de" in result.stdout

    armed = tmp_path / "production-with-toggle.toml"
    armed.write_text(production.read_text(encoding="utf-8").replace(
        "[flags]", '[flags]\ntoggle_command = ["php", "artisan", "flag:set", "{flag}", "{value}"]',
        1), encoding="utf-8")
    assert "toggle_command" in armed.read_text(encoding="utf-8")
    assert_cannot_judge(gate("check-profile", str(armed)), "flags.toggle_command")


def test_a_database_run_needs_no_logins_redis_or_web_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """QA runs `--phase database` locally: only the DSN, and no reachable web target."""
    from staging_gate.errors import ConfigError
    from staging_gate.profile import load_profile
    from staging_gate.run.cli import preflight

    profile = load_profile(write_profile(tmp_path, complete=True))  # https://127.0.0.1:1
    for name in SECRETS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SG_TEST_DB_DSN", SECRETS["SG_TEST_DB_DSN"])
    preflight(profile, ["database"])
    with pytest.raises(ConfigError, match="SG_TEST_REDIS_URL"):
        preflight(profile, ["database", "infra"])
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match="is unreachable"):
        preflight(profile, ["database", "infra"])
