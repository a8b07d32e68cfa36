"""Running the checks as pytest stages: the parallel stage, then the state-changing checks
alone, each a pytest process group the gate can interrupt and give time to restore the
target. Shared by `staging-gate run` (cli) and `verify-production`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from staging_gate import resources

# pytest exit codes that mean the gate itself could not run its checks.
PYTEST_CANNOT_JUDGE = {
    2: "interrupted or collection errors",
    3: "internal error",
    4: "usage error",
    5: "no checks",
}
# pytest arguments that narrow the run to part of the checklist (its verdict is partial).
NARROWING_ARGS = ("-k", "-m", "--check", "--deselect", "--lf", "--last-failed")
# After an interrupt the checks get this long to put the target back (flags, scratch DBs).
RESTORE_GRACE_SECONDS = 120.0
STAGE_LABELS = {"parallel": "parallel checks", "exclusive": "state-changing checks"}


class Interrupted(KeyboardInterrupt):
    """The gate got SIGTERM (a cancelled CI job) or SIGINT (Ctrl-C) while it ran; `how`
    says which and when ("SIGTERM during the state-changing checks")."""

    def __init__(self, how: str) -> None:
        super().__init__(how)
        self.how = how


def raise_interrupted(signum: int, _frame: object) -> None:
    """Signal handler (SIGTERM, SIGINT): raise `Interrupted` naming the signal."""
    raise Interrupted(signal.Signals(signum).name)


@contextlib.contextmanager
def on_signals(handler: Callable[[int, object], None] | int) -> Iterator[None]:
    """`handler` for SIGTERM and SIGINT while the block runs (main thread only; elsewhere
    Python cannot set handlers and Ctrl-C stays a KeyboardInterrupt)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stops = (signal.SIGTERM, signal.SIGINT)
    previous = {sig: signal.signal(sig, handler) for sig in stops}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def sign_off_interrupted(write: Callable[[str], None], how: str) -> None:
    """Write the interrupted sign-off; a repeated signal must not cut it short, and a
    failure to write must not keep the checks from being stopped."""
    with on_signals(signal.SIG_IGN):
        try:
            write(how)
        except Exception as error:  # the target's restore comes first
            say(f"could not write the sign-off of the interrupted run: {error}")


def _stop_stage(process: subprocess.Popen[bytes]) -> bool:
    """Forward SIGINT to the stage's process group — pytest then runs its teardowns (flags
    restored, scratch databases dropped) — wait up to RESTORE_GRACE_SECONDS, then kill the
    group. A second signal kills at once. True if the checks ended by themselves."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=RESTORE_GRACE_SECONDS)
        return True
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return False


@dataclass(frozen=True)
class RunRequest:
    """One run of the gate as the command line asked for it: the profile file, the phases
    and checks selected (empty: all), where the sign-off goes, pytest-xdist workers ("auto",
    "0", "N"), read-only mode, extra pytest arguments, the run-history file and the
    environment variables handed to the checks (secrets named by the profile)."""

    profile_path: Path
    phases: tuple[str, ...]
    checks: tuple[str, ...]
    out_dir: Path
    workers: str
    read_only: bool
    pytest_args: tuple[str, ...]
    history: Path | None
    environment: Mapping[str, str]


def say(message: str) -> None:
    """One line on stderr, prefixed `staging-gate:` (stdout stays pytest's)."""
    print(f"staging-gate: {message}", file=sys.stderr, flush=True)


def fresh_results_dir(out_dir: Path) -> Path:
    """`out_dir/allure-results`, created, with the files of an earlier run removed (a stale
    result would count in this run's sign-off). Returns the folder."""
    results = out_dir / "allure-results"
    results.mkdir(parents=True, exist_ok=True)
    for stale in results.iterdir():
        if stale.is_file():
            stale.unlink()
    return results


def pytest_argv(
    request: RunRequest, stage: str, results: Path, workers: str, retries: int = 0
) -> list[str]:
    """The pytest command line of one stage ("parallel" or "exclusive"): the packaged checks,
    the gate's pytest settings, the selection, `-n workers` (the exclusive stage always
    `-n 0`, after the user's arguments) and `--reruns retries` (flaky, never a pass)."""
    argv = [
        sys.executable,
        "-m",
        "pytest",
        str(resources.checks_dir()),
        "--rootdir",
        str(resources.checks_dir().parent),
        "-c",
        str(resources.pytest_config()),
        "--profile",
        str(request.profile_path),
        "--stage",
        stage,
        "--alluredir",
        str(results),
        "-o",
        "console_output_style=progress",
        "-rfE",
    ]
    argv += [f"--phase={phase}" for phase in request.phases]
    argv += [f"--check={check}" for check in request.checks]
    if request.read_only:
        argv.append("--read-only")
    if workers not in ("0", ""):
        argv += ["-n", workers]
    if retries:
        # A check that fails and then passes is reported as flaky by the sign-off, never
        # as a plain pass: every attempt stays in the Allure results.
        argv += ["--reruns", str(retries)]
    argv += list(request.pytest_args)
    if stage == "exclusive":
        argv += ["-n", "0"]  # after the user's arguments: state-changing checks run alone
    return argv


def run_stage(
    request: RunRequest,
    stage: str,
    results: Path,
    workers: str,
    retries: int,
    on_interrupt: Callable[[str], None] | None = None,
) -> int:
    """Run one stage's pytest in its own process group and return pytest's exit code.

    On SIGINT/SIGTERM (`Interrupted` or KeyboardInterrupt) it first calls `on_interrupt(how)`
    (the interrupted sign-off), then forwards SIGINT so the checks restore the target, waits
    up to RESTORE_GRACE_SECONDS (s), kills the group after that, and raises `Interrupted`.
    """
    label = "parallel checks" if stage == "parallel" else "state-changing checks (run alone)"
    say(f"stage: {label}")
    env = {**os.environ, **request.environment}
    argv = pytest_argv(request, stage, results, workers, retries)
    # Its own process group: the gate forwards an interrupt to pytest and its workers once.
    # A checkout runs from its root (its top-level `suites`, `fixtures` import from there);
    # an installed gate from the caller's folder.
    process = subprocess.Popen(argv, cwd=resources.source_checkout(), env=env, process_group=0)
    try:
        return process.wait()
    except KeyboardInterrupt as interrupt:
        name = getattr(interrupt, "how", "SIGINT")
        how = f"{name} during the {STAGE_LABELS.get(stage, stage)}"
        if on_interrupt is not None:  # a sign-off first: CI may SIGKILL before teardowns end
            sign_off_interrupted(on_interrupt, how)
        say(f"interrupted ({how}); giving the checks up to {RESTORE_GRACE_SECONDS:.0f}s "
             "to restore the target")
        finished = _stop_stage(process)
        if not finished:
            how += f"; the checks were killed after {RESTORE_GRACE_SECONDS:.0f}s of cleanup"
        raise Interrupted(how) from None
