"""`staging-gate verify-production`: the read-only checklist PV.1–PV.6 against production right
after its deploy (seed Part 8.2 step 5; Part 8.4 "Verify" after a rollback).

It is the production guard's inverse: the guard keeps state-changing checks off anything that
is not staging; this command refuses to start at all when its profile could change anything
(`state_changing_commands`), and runs only anonymous, read-only checks under ``--read-only``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from staging_gate.checklist import PRODUCTION_PHASE
from staging_gate.errors import ConfigError
from staging_gate.profile import Profile, load_profile
from staging_gate.run import stages

#: Profile keys whose commands change the target; a profile for verify-production has none.
STATE_CHANGING_KEYS: tuple[tuple[str, str], ...] = (
    ("flags", "toggle_command"),
    ("backup", "restore_command"),
    ("rollback", "rollback_command"),
    ("rollback", "migrate_command"),
)
#: What the production verdict is computed over: one phase, required.
PRODUCTION_PHASES: tuple[str, ...] = (PRODUCTION_PHASE,)


def state_changing_commands(profile: Profile) -> list[str]:
    """The dotted profile keys (``flags.toggle_command``) that name a state-changing command;
    empty when the profile cannot change the target."""
    named = []
    for section, key in STATE_CHANGING_KEYS:
        value: Sequence[str] = getattr(getattr(profile, section), key)
        if value:
            named.append(f"{section}.{key}")
    return named


def refuse_state_changing(profile: Profile) -> None:
    """Raise ConfigError (exit 2, one line) if the profile names any state-changing command:
    a mistaken production check must never hold the means to change production."""
    named = state_changing_commands(profile)
    if named:
        raise ConfigError(
            f"verify-production refuses profile {profile.source}: it names state-changing "
            f"command(s) {', '.join(named)}; use a production profile without them"
        )


def preflight(profile: Profile) -> None:
    """Refuse a profile that could change production, then make sure production answers
    (a ConfigError, exit 2, otherwise). No secret is needed: nothing logs in or connects."""
    from staging_gate.deployment.target import check_reachable

    refuse_state_changing(profile)
    check_reachable(profile, timeout=min(profile.target.timeout_seconds, 5.0))


def verify(profile_path: Path, out_dir: Path, workers: str = "0",
           pytest_args: Sequence[str] = ()) -> int:
    """Run PV.1–PV.6 read-only against the profile's target; write ``signoff.json``,
    ``signoff.md`` and the report into `out_dir`; return the exit code (0 GO, 1 NO-GO).

    Raises ConfigError (exit 2) for a refused profile, an unreachable target or a pytest
    that could not run the checks.
    """
    from staging_gate.verdict import allure_meta, report, signoff

    profile = load_profile(profile_path)
    preflight(profile)
    request = stages.RunRequest(
        profile_path=profile_path.resolve(),
        phases=PRODUCTION_PHASES,
        checks=(),
        out_dir=out_dir.resolve(),
        workers=workers,
        read_only=True,
        pytest_args=tuple(pytest_args),
        history=None,
        environment={},
    )
    results = stages.fresh_results_dir(request.out_dir)
    started = time.monotonic()
    # The parallel stage only: it never selects an `exclusive` check.
    code = stages.run_stage(request, "parallel", results, workers, profile.signoff.retries)
    if code == 5:
        raise ConfigError("no production checks were selected; check the -k/-m arguments")
    if code in stages.PYTEST_CANNOT_JUDGE:
        raise ConfigError(f"pytest could not run the checks ({stages.PYTEST_CANNOT_JUDGE[code]})")
    allure_meta.write_environment(results, {"Target": profile.target.base_url,
                                            "Profile": profile.source,
                                            "Verification": "production (read-only)"})
    allure_meta.write_executor(results)
    allure_meta.write_categories(results)
    config = profile.signoff.model_copy(update={"required_phases": PRODUCTION_PHASES,
                                                "min_checks": {}})
    verdict = signoff.compute_signoff(
        results, config, selected_phases=PRODUCTION_PHASES, phases=PRODUCTION_PHASES,
        partial=any(arg.startswith(stages.NARROWING_ARGS) for arg in pytest_args),
    )
    signoff.write_signoff(verdict, request.out_dir)
    markdown = request.out_dir / "signoff.md"
    markdown.write_text(
        markdown.read_text(encoding="utf-8").replace(
            "— staging sign-off", "— production verification", 1),
        encoding="utf-8",
    )
    html = report.render_report(results, request.out_dir / "report")
    print(signoff.format_summary_table(verdict), flush=True)
    print(f"production verification: {markdown}" + (f"  report: {html}" if html else "")
          + f"  ({time.monotonic() - started:.0f}s)", flush=True)
    return 0 if verdict.verdict == "GO" else 1
