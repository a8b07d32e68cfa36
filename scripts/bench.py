"""Benchmark the gate: prints figures, asserts nothing (speed is measured, never tested).

  cold start of the reference target, wall time per phase, the whole run with and without
  pytest-xdist, and the peak resident memory of the largest child process.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from staging_gate import reference  # noqa: E402
from staging_gate.profile import PHASES  # noqa: E402


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    started = time.monotonic()
    completed = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, check=False)
    return time.monotonic() - started, completed.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--phases", default=",".join(PHASES))
    args = parser.parse_args()
    phases = [p for p in args.phases.split(",") if p]
    gate = [sys.executable, "-m", "staging_gate"]
    with tempfile.TemporaryDirectory(prefix="staging-gate-bench-") as tmp:
        state = Path(tmp) / "target"
        started = time.monotonic()
        target = reference.start(state)
        cold = time.monotonic() - started
        env = {**os.environ, **target.secrets}
        rows: list[tuple[str, float, int]] = [("reference target cold start", cold, 0)]
        try:
            for phase in phases:
                seconds, code = timed(
                    [*gate, "run", "--profile", str(target.profile_path), "--phase", phase,
                     "--out", f"{tmp}/{phase}"], env)
                rows.append((f"phase {phase}", seconds, code))
            for workers in ("auto", "0"):
                seconds, code = timed(
                    [*gate, "run", "--profile", str(target.profile_path), "--workers", workers,
                     "--out", f"{tmp}/all-{workers}"], env)
                rows.append((f"whole gate, workers={workers}", seconds, code))
        finally:
            reference.stop(state)
        seconds, code = timed([*gate, "demo", "--out", f"{tmp}/demo"], dict(os.environ))
        rows.append(("staging-gate demo (start + gate + stop)", seconds, code))
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{'what':45} {'seconds':>8}  exit")
    for label, seconds, code in rows:
        print(f"{label:45} {seconds:8.1f}  {code}")
    print(f"{'peak RSS of the largest child process (MB)':45} {peak_mb:8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
