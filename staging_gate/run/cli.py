"""`staging-gate`: run the gate, demo it on the reference target, recompute a sign-off.

Exit codes: 0 GO, 1 NO-GO, 2 the gate could not judge (bad profile, missing secret,
unreachable target, no checks selected, run interrupted) — always with one line saying
what and how to fix.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import httpx

from staging_gate import __version__
from staging_gate.deployment.target import Target, check_reachable
from staging_gate.errors import ConfigError
from staging_gate.probes.load_baseline import RunFigures, trend_svg
from staging_gate.profile import PHASES, Profile, load_profile
from staging_gate.run import reference
from staging_gate.run.stages import (
    NARROWING_ARGS,
    PYTEST_CANNOT_JUDGE,
    Interrupted,
    RunRequest,
    fresh_results_dir,
    on_signals,
    raise_interrupted,
    run_stage,
    say,
    sign_off_interrupted,
)

EXIT_GO, EXIT_NO_GO, EXIT_CANNOT_JUDGE = 0, 1, 2
def _phases(value: str) -> list[str]:
    phases = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [phase for phase in phases if phase not in PHASES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown phase {', '.join(unknown)} (choose from {', '.join(PHASES)})"
        )
    return phases


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--phase",
        action="extend",
        type=_phases,
        default=[],
        metavar="PHASE",
        help=f"run only these phases (repeatable or comma-separated): {', '.join(PHASES)}",
    )
    parser.add_argument(
        "--check",
        action="append",
        default=[],
        metavar="ID",
        help="run only these checklist IDs (P5.3) or check names (repeatable)",
    )
    parser.add_argument("--out", type=Path, default=Path("out"), help="output folder (./out)")
    parser.add_argument(
        "--workers",
        default="auto",
        help="pytest-xdist workers for the parallel stage: a number, 'auto', or 0 for none",
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="refuse every state-changing or load check, even on a confirmed staging target",
    )
    parser.add_argument(
        "--history",
        type=Path,
        default=None,
        help="previous report's history file, so the report shows trends",
    )
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments, after --")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="staging-gate",
        description="Validate a staging deployment; exit 0 GO, 1 NO-GO, 2 cannot judge.",
    )
    parser.add_argument("--version", action="version", version=f"staging-gate {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the gate against the target of a profile")
    run.add_argument("--profile", type=Path, required=True, help="target profile TOML file")
    _add_run_options(run)

    demo = commands.add_parser("demo", help="start the reference target and run the gate on it")
    demo.add_argument(
        "--state-dir",
        type=Path,
        default=None,
        help="reference target state folder (default: OUT/reference-target)",
    )
    demo.add_argument("--keep-up", action="store_true", help="leave the target running")
    demo.add_argument(
        "--dialect",
        choices=sorted(reference.DIALECTS),
        default="reference",
        help="how the reference target is built: reference (default) or filament "
        "(a Filament 3 panel, UUID ids, other schema, flags off at start)",
    )
    demo.add_argument(
        "--defect",
        action="append",
        default=[],
        metavar="NAME",
        help="switch on a seeded defect first (see `python -m reference_target defect list`)",
    )
    _add_run_options(demo)

    signoff = commands.add_parser("signoff", help="recompute the verdict from Allure results")
    signoff.add_argument("results", type=Path, help="allure-results folder")
    signoff.add_argument("--profile", type=Path, default=None, help="profile with [signoff]")
    signoff.add_argument("--phase", action="extend", type=_phases, default=[], metavar="PHASE")
    signoff.add_argument("--out", type=Path, default=None, help="where to write signoff.*")

    verify = commands.add_parser(
        "verify-production",
        help="read-only checks of production after its deploy (seed Part 8.2 step 5)",
    )
    verify.add_argument("--profile", type=Path, required=True, help="production profile TOML")
    verify.add_argument("--out", type=Path, default=Path("out"), help="output folder (./out)")
    verify.add_argument("pytest_args", nargs="*", help="extra pytest arguments, after --")

    check = commands.add_parser("check-profile", help="validate a profile and its secrets")
    check.add_argument("profile", type=Path)

    worker = commands.add_parser(
        "load-worker",
        help="an external Locust worker for a gate whose profile sets budgets.load.workers",
    )
    worker.add_argument("--profile", type=Path, required=True, help="the gate's profile")
    worker.add_argument("--master-host", required=True, help="host running `staging-gate run`")
    worker.add_argument("--processes", type=int, default=1, help="worker processes here")
    return parser


def preflight(profile: Profile, phases: Sequence[str] = PHASES, timeout: float = 8.0) -> None:
    """Everything that would make the verdict meaningless is checked before any check runs:
    only what the selected phases need (a ``--phase database`` run needs the DSN, no logins,
    no Redis URL and no reachable web server)."""
    missing = profile.missing_secrets(phases)
    if missing:
        raise ConfigError(
            f"missing secret environment variable(s) {', '.join(missing)} named by profile "
            f"{profile.source}; export them before running the gate"
        )
    Target(profile).dsn()  # a malformed DSN is a configuration error, not a DB failure
    gaps = profile.gaps(phases or PHASES)
    if gaps:
        more = f" (and {len(gaps) - 1} more)" if len(gaps) > 1 else ""
        raise ConfigError(
            f"profile {profile.source} lacks {gaps[0]}{more}; add it or deselect "
            "the phase with --phase"
        )
    if not profile.needs_web_target(phases):
        return
    check_reachable(profile, timeout=min(timeout, 5.0))
    try:
        with httpx.Client(verify=False, timeout=timeout) as client:
            client.get(profile.target.base_url + profile.health.path)
    except httpx.TimeoutException:
        raise ConfigError(
            f"target {profile.target.base_url} accepted a connection but sent no answer within "
            f"{timeout:.0f}s; check the deploy (web server hanging?)"
        ) from None
    except httpx.HTTPError:
        pass  # TLS and protocol problems are the application's, reported by phase 1


def _write_interrupted(request: RunRequest, profile: Profile, results: Path, how: str) -> None:
    """The sign-off of an interrupted run: NO-GO, why, and the checks that did not run."""
    from staging_gate.verdict import signoff

    verdict = signoff.compute_signoff(
        results, profile.signoff, selected_phases=request.phases or None, partial=True
    )
    verdict = signoff.mark_interrupted(verdict, how, request.phases or None)
    signoff.write_signoff(verdict, request.out_dir)
    say(f"sign-off of the interrupted run: {request.out_dir / 'signoff.md'}")


def run_gate(request: RunRequest, profile: Profile) -> int:
    """Run both stages, then compute the sign-off and render the report. ``profile`` is the
    one the caller parsed from ``request.profile_path`` (parsed once per process)."""
    from staging_gate.verdict import allure_meta, release_diff, report, run_history, signoff

    history_file = request.out_dir / f"report-{report.HISTORY_FILE}"
    previous_history = request.history or (history_file if history_file.is_file() else None)
    load_figures = request.out_dir / "load-p95.json"
    load_figures.unlink(missing_ok=True)
    request = replace(request, environment={
        **request.environment,
        run_history.ENV_HISTORY: str(previous_history or ""),
        run_history.ENV_LOAD_FIGURES: str(load_figures),
    })
    results = fresh_results_dir(request.out_dir)
    started = time.monotonic()

    def interrupted(how: str) -> None:
        _write_interrupted(request, profile, results, how)

    retries = profile.signoff.retries
    try:
        with on_signals(raise_interrupted):
            codes = [run_stage(request, "parallel", results, request.workers, retries,
                                interrupted)]
            if codes[0] not in PYTEST_CANNOT_JUDGE or codes[0] == 5:
                codes.append(run_stage(request, "exclusive", results, "0", retries,
                                        interrupted))
    except Interrupted as stop:
        sign_off_interrupted(interrupted, stop.how)  # again, with what the teardowns left
        say(f"interrupted ({stop.how}); verdict NO-GO, the gate could not judge")
        return EXIT_CANNOT_JUDGE
    if all(code == 5 for code in codes):
        raise ConfigError("no checks were selected; check --phase and the -k/-m arguments")
    broken = [code for code in codes if code in PYTEST_CANNOT_JUDGE and code != 5]
    if broken:
        raise ConfigError(f"pytest could not run the checks ({PYTEST_CANNOT_JUDGE[broken[0]]})")
    web = profile.needs_web_target(request.phases)
    health = Target(profile).read_health()[0] if web else None
    allure_meta.write_environment(results, _environment_info(profile, health))
    allure_meta.write_executor(results)
    allure_meta.write_categories(results)
    partial = bool(request.phases or request.checks) or any(
        arg.startswith(NARROWING_ARGS) for arg in request.pytest_args
    )
    verdict = signoff.compute_signoff(
        results, profile.signoff, selected_phases=request.phases or None, partial=partial
    )
    release = release_diff.compute(profile)  # information; blocks only if release.blocks
    verdict = release_diff.apply(verdict, release, profile)
    signoff.write_signoff(verdict, request.out_dir)
    release_diff.write(release, profile, request.out_dir)
    figures = _run_figures(verdict.verdict, run_history.read_figures(load_figures))
    html = report.render_report(
        results, request.out_dir / "report", history=request.history, signoff=verdict,
        trend=trend_svg(run_history.read_runs(previous_history), figures.p95_ms),
    )
    if figures.p95_ms:
        run_history.record_run(history_file, figures, previous=request.history,
                               allure_appended=html is not None)
    print(signoff.format_summary_table(verdict), flush=True)
    print(
        f"sign-off: {request.out_dir / 'signoff.md'}"
        + (f"  report: {html}" if html else "")
        + f"  ({time.monotonic() - started:.0f}s)",
        flush=True,
    )
    return EXIT_GO if verdict.verdict == "GO" else EXIT_NO_GO


def _run_figures(verdict: str, p95_ms: Mapping[str, float]) -> RunFigures:
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return RunFigures(verdict, now, dict(p95_ms))


def _environment_info(profile: Profile, health: Mapping[str, object] | None) -> dict[str, str]:
    from staging_gate.run.plugin import gate_commit

    return {
        "Target": profile.target.base_url,
        "Profile": profile.source,
        "Environment": str((health or {}).get("environment", "unknown")),
        "App.Version": str((health or {}).get("version", "unknown")),
        "Gate.Version": __version__,
        "Gate.Commit": gate_commit(),
    }


def _request(args: argparse.Namespace, profile_path: Path, env: Mapping[str, str]) -> RunRequest:
    return RunRequest(
        profile_path=profile_path.resolve(),
        phases=tuple(dict.fromkeys(args.phase)),
        checks=tuple(args.check),
        out_dir=args.out.resolve(),
        workers=str(args.workers),
        read_only=args.read_only,
        pytest_args=tuple(args.pytest_args),
        history=args.history,
        environment=env,
    )


def command_run(args: argparse.Namespace) -> int:
    profile = load_profile(args.profile)
    preflight(profile, args.phase)
    return run_gate(_request(args, args.profile, {}), profile)


def command_demo(args: argparse.Namespace) -> int:
    default_dir = "reference-target" + ("" if args.dialect == "reference" else f"-{args.dialect}")
    state_dir = (args.state_dir or args.out / default_dir).resolve()
    say(f"starting the reference target ({args.dialect} dialect) in {state_dir} …")
    started = time.monotonic()
    seeded = False
    try:
        target = reference.start(state_dir, dialect=args.dialect)
        say(
            f"reference target up at {target.endpoints['base_url']} "
            f"({time.monotonic() - started:.1f}s)"
        )
        if args.defect:
            seeded = True
            reference.defect(state_dir, "reset")
            for name in args.defect:
                reference.defect(state_dir, "on", name)
                say(f"seeded defect switched on: {name}")
        os.environ.update(target.secrets)
        profile = load_profile(target.profile_path)
        preflight(profile, args.phase)
        return run_gate(_request(args, target.profile_path, target.secrets), profile)
    finally:
        _leave_reference_target(state_dir, reset=seeded, stop=not args.keep_up)


def _leave_reference_target(state_dir: Path, reset: bool, stop: bool) -> None:
    """Switch seeded defects off and stop the target — the stop even if the reset fails."""
    try:
        if reset:
            reference.defect(state_dir, "reset")
    finally:
        if stop:
            reference.stop(state_dir)
            say("reference target stopped")


def command_signoff(args: argparse.Namespace) -> int:
    from staging_gate.profile import SignoffSection
    from staging_gate.verdict import signoff

    if not args.results.is_dir():
        raise ConfigError(f"{args.results} is not an allure-results folder")
    config = load_profile(args.profile).signoff if args.profile else SignoffSection()
    verdict = signoff.compute_signoff(
        args.results, config, selected_phases=args.phase or None, partial=bool(args.phase)
    )
    signoff.write_signoff(verdict, args.out or args.results.parent)
    print(signoff.format_summary_table(verdict))
    return EXIT_GO if verdict.verdict == "GO" else EXIT_NO_GO


def command_verify_production(args: argparse.Namespace) -> int:
    from staging_gate.run import verify_production as production

    return production.verify(args.profile, args.out, pytest_args=args.pytest_args)


def command_check_profile(args: argparse.Namespace) -> int:
    """Validate a profile for the command it is meant for: a production profile
    (`target.environment = "production"`) for `verify-production` — no state-changing command,
    no secret needed — any other for `run`, with every secret of every phase set."""
    from staging_gate.run import verify_production

    profile = load_profile(args.profile)
    phases: Sequence[str] = PHASES
    command = "run"
    if profile.target.environment.strip().lower() == "production":
        verify_production.refuse_state_changing(profile)
        phases, command = verify_production.PRODUCTION_PHASES, "verify-production"
    missing = profile.missing_secrets(phases)
    if missing:
        raise ConfigError(f"profile {args.profile} is valid but {', '.join(missing)} not set")
    print(f"profile {args.profile} is valid for `staging-gate {command}`; "
          f"target {profile.target.base_url}")
    return EXIT_GO


def command_load_worker(args: argparse.Namespace) -> int:
    """Run Locust's ``--worker`` with the personas' inputs (routes, login form, secrets from
    this machine's environment) until the gate's master ends the run."""
    import tempfile

    from staging_gate.run import load

    profile = load_profile(args.profile)
    with tempfile.TemporaryDirectory(prefix="staging-gate-worker-") as workdir:
        files = load.LoadFiles(Path(workdir))
        env = {**os.environ, **load.locust_env(profile, files, load.budget_rules(profile))}
        command = load.worker_command(profile, args.master_host, args.processes)
        say(f"load worker for {profile.target.base_url}: " + " ".join(command))
        return subprocess.run(command, env=env, check=False).returncode


COMMANDS = {
    "run": command_run,
    "demo": command_demo,
    "signoff": command_signoff,
    "check-profile": command_check_profile,
    "load-worker": command_load_worker,
    "verify-production": command_verify_production,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ConfigError as error:
        say(f"error: {error}")
        return EXIT_CANNOT_JUDGE
    except KeyboardInterrupt:
        say("interrupted")
        return EXIT_CANNOT_JUDGE


if __name__ == "__main__":
    sys.exit(main())
