"""P7.1 with ``backup.scratch_dsn_env``: the app user may not create scratch databases (the
seed's grant), a separate user with exactly the GRANT the gate recommends restores the
backup — also a production-like copy — and drops the scratch database."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from staging_gate.probes.backup import scratch_grant
from staging_gate.run import reference
from tests.matrix.harness import run_pytest, seeded

ACCOUNT = "'gate_scratch'@'127.0.0.1'"


def as_root(state_dir: Path, sql: str) -> None:
    runtime = json.loads((state_dir / "runtime.json").read_text(encoding="utf-8"))
    subprocess.run(["mariadb", "-S", runtime["mariadb"]["socket"], "-uroot", "-e", sql],
                   check=True, capture_output=True, timeout=30)


@pytest.fixture
def scratch_user(reference_target: reference.ReferenceTarget) -> Iterator[str]:
    """A user who may do only what the gate's GRANT says; its DSN."""
    state_dir = reference_target.state_dir
    reference.defect(state_dir, "reset")
    as_root(state_dir, f"CREATE USER IF NOT EXISTS {ACCOUNT} IDENTIFIED BY 'scratch-pw'; "
            + scratch_grant("staging_gate_scratch_", ACCOUNT))
    runtime = json.loads((state_dir / "runtime.json").read_text(encoding="utf-8"))
    try:
        yield f"mysql://gate_scratch:scratch-pw@127.0.0.1:{runtime['mariadb']['port']}/unused"
    finally:
        as_root(state_dir, f"DROP USER IF EXISTS {ACCOUNT}")


@pytest.mark.parametrize("also", [(), ("backup_production_copy",)], ids=["plain", "prod-copy"])
def test_scratch_dsn_restores_where_the_app_user_may_not(
    reference_target: reference.ReferenceTarget, scratch_user: str, tmp_path: Path,
    also: tuple[str, ...],
) -> None:
    text = reference_target.profile_path.read_text(encoding="utf-8")
    # The local client over the scratch DSN instead of the deploy's restore (the app user).
    text = re.sub(r"^restore_command = .*\n", 'scratch_dsn_env = "SG_SCRATCH_DSN"\n', text,
                  flags=re.M)
    profile = tmp_path / "profile.toml"
    profile.write_text(text, encoding="utf-8")
    env = {**reference_target.secrets, "SG_SCRATCH_DSN": scratch_user}
    with seeded(reference_target.state_dir, "db_user_without_create", *also):
        run = run_pytest(profile, env, tmp_path / "junit.xml",
                         ["test_P7_1_backup_restores_identically"])
    outcomes = run.outcomes.get("test_P7_1_backup_restores_identically", [])
    assert [o.status for o in outcomes] == ["passed"], (
        [o.message[:800] for o in outcomes] or run.explain())
