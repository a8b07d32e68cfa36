"""The pytest plugin (entry point ``pytest11``): options, phase markers, checklist labels,
phase/check selection, the production guard's refusals, and run metadata.

The selection options (profile, target URL, phases, checks) have ini twins sharing one
help string; `GateOptions.from_config` folds them into one typed value, the single source
of truth for the run.
"""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from staging_gate import __version__, resources
from staging_gate.checklist import (
    PHASE_TITLES,
    PRODUCTION_PHASE,
    ChecklistItem,
    item_for_test_name,
    phase_title,
)
from staging_gate.deployment.guard import REFUSAL_PREFIX
from staging_gate.deployment.portal_hold import PortalHold, hold_portal_on, needs_portal, phases_of
from staging_gate.deployment.target import Target
from staging_gate.errors import UNVERIFIED_PREFIX, ConfigError, CouldNotVerify, GuardRefusal
from staging_gate.findings import FindingRaised
from staging_gate.profile import PHASES, Profile, load_profile

PROFILE_KEY: pytest.StashKey[Profile] = pytest.StashKey()


_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("profile", "staging_gate_profile", "Target profile TOML file (see profiles/)."),
    ("target_url", "staging_gate_target_url", "Override the profile's target.base_url."),
    ("phase", "staging_gate_phases", "Run only these phases (repeatable or comma-separated)."),
    ("check", "staging_gate_checks", "Run only these checklist IDs (P5.3) or test names."),
)
STAGES = ("all", "parallel", "exclusive")
EXCLUSIVE_MARKER = "exclusive"
ACTIVE_MARKER = "active"


@dataclass(frozen=True)
class GateOptions:
    profile_path: str | None
    target_url: str | None
    phases: tuple[str, ...]
    checks: tuple[str, ...]
    read_only: bool
    stage: str

    @classmethod
    def from_config(cls, config: pytest.Config) -> GateOptions:
        def value(option: str, ini: str) -> str | list[str] | None:
            cli: str | list[str] | None = config.getoption(option)
            if cli:
                return cli
            ini_value: str | list[str] = config.getini(ini)
            return ini_value or None

        def as_list(raw: str | list[str] | None) -> tuple[str, ...]:
            items = [raw] if isinstance(raw, str) else list(raw or [])
            return tuple(part.strip() for item in items for part in item.split(",") if part.strip())

        profile = value("profile", "staging_gate_profile")
        target_url = value("target_url", "staging_gate_target_url")
        phases = as_list(value("phase", "staging_gate_phases"))
        unknown = sorted(set(phases) - {*PHASES, PRODUCTION_PHASE})
        if unknown:
            raise pytest.UsageError(
                f"unknown phase {', '.join(unknown)}; choose from {', '.join(PHASES)}"
            )
        return cls(
            profile_path=profile if isinstance(profile, str) else None,
            target_url=target_url if isinstance(target_url, str) else None,
            phases=phases,
            checks=as_list(value("check", "staging_gate_checks")),
            read_only=bool(config.getoption("read_only")),
            stage=str(config.getoption("stage")),
        )


OPTIONS_KEY: pytest.StashKey[GateOptions] = pytest.StashKey()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("staging-gate", "Staging Gate")
    for option, ini, help_text in _OPTIONS:
        repeatable = option in ("phase", "check")
        group.addoption(
            f"--{option.replace('_', '-')}",
            dest=option,
            action="append" if repeatable else "store",
            default=[] if repeatable else None,
            help=help_text,
        )
        if repeatable:
            parser.addini(ini, help=help_text, type="args")
        else:
            parser.addini(ini, help=help_text, type="string")
    group.addoption(
        "--read-only",
        dest="read_only",
        action="store_true",
        default=False,
        help="Refuse every state-changing or load-generating check, even on staging.",
    )
    group.addoption(
        "--stage",
        dest="stage",
        choices=STAGES,
        default="all",
        help="parallel: only checks that may share the target; exclusive: only checks marked "
        "`exclusive` (they change state, e.g. toggle flags, and must run alone).",
    )


def pytest_configure(config: pytest.Config) -> None:
    # The gate's fixtures are registered by the plugin itself, so the installed checks
    # (`pytest --pyargs staging_gate.suites --profile …`) find them — here, after every
    # entry-point plugin, so they override pytest-playwright's (browser launch arguments).
    for name in resources.fixture_plugins():
        config.pluginmanager.import_plugin(name)
    for phase in PHASES:
        config.addinivalue_line("markers", f"{phase}: {PHASE_TITLES[phase]}")
    config.addinivalue_line("markers", f"{PRODUCTION_PHASE}: {phase_title(PRODUCTION_PHASE)}")
    config.addinivalue_line(
        "markers",
        f"{EXCLUSIVE_MARKER}: changes the target's state (flags, schema, load); runs alone, "
        "after the parallel stage, and only on a target the production guard confirmed",
    )
    config.addinivalue_line(
        "markers",
        f"{ACTIVE_MARKER}: sends probes an attacker would (injection, forged CSRF, canary PII); "
        "changes nothing, but runs only on a target the production guard confirmed",
    )
    options = GateOptions.from_config(config)
    config.stash[OPTIONS_KEY] = options
    config.pluginmanager.register(ExclusiveChecksNeedTheTargetAlone(), "staging-gate-exclusive")
    if options.profile_path:
        try:
            profile = load_profile(options.profile_path)
        except ConfigError as error:
            raise pytest.UsageError(str(error)) from None
        if options.target_url:
            overridden = profile.target.model_copy(update={"base_url": options.target_url})
            profile = profile.model_copy(update={"target": overridden})
        config.stash[PROFILE_KEY] = profile


def gate_options(config: pytest.Config) -> GateOptions:
    return config.stash[OPTIONS_KEY]


def gate_profile(config: pytest.Config) -> Profile:
    """The run's profile; a usage error (exit 4, CLI exit 2) when none was given."""
    profile = config.stash.get(PROFILE_KEY, None)
    if profile is None:
        raise pytest.UsageError("the gate's checks need a target profile: pass --profile FILE")
    return profile


def _humanize(name: str) -> str:
    base, _, params = name.partition("[")
    words = re.sub(r"^test_P(?:\d|V)_\d+_", "", base).replace("_", " ")
    return words + (f" [{params}" if params else "")


def _label_item(item: pytest.Item, checklist_item: ChecklistItem) -> None:
    phase = checklist_item.phase
    item.add_marker(getattr(pytest.mark, phase))
    labels = {
        "epic": phase_title(phase),
        "feature": phase_title(phase),
        "story": checklist_item.story,
        "checklist": checklist_item.id,
        "phase": phase,
        "severity": checklist_item.severity,
        "tag": phase,
    }
    for label_type, value in labels.items():
        item.add_marker(pytest.mark.allure_label(value, label_type=label_type))
    function = getattr(item, "function", None)
    if function is not None and not hasattr(function, "__allure_display_name__"):
        # allure-pytest reads the title from this attribute (what @allure.title sets).
        title = f"{checklist_item.id} {_humanize(item.name.partition('[')[0])}"
        function.__allure_display_name__ = title.replace("{", "{{").replace("}", "}}")


def _is_gate_check(item: pytest.Item) -> bool:
    """A check of the gate's own (installed or checkout ``suites/``) or in ``suites/`` of the
    run's rootdir (a team's checks written against the plugin)."""
    path = Path(str(item.path)).resolve()
    if path.is_relative_to(resources.checks_dir().resolve()):
        return True
    root = item.config.rootpath.resolve()
    return path.is_relative_to(root) and path.relative_to(root).parts[:1] == ("suites",)


def _selected(item: pytest.Item, checklist_item: ChecklistItem, options: GateOptions) -> bool:
    # Production verification runs only when asked for by name (verify-production does).
    if checklist_item.phase == PRODUCTION_PHASE and PRODUCTION_PHASE not in options.phases:
        return False
    if options.phases and checklist_item.phase not in options.phases:
        return False
    exclusive = item.get_closest_marker(EXCLUSIVE_MARKER) is not None
    if options.stage != "all" and exclusive != (options.stage == "exclusive"):
        return False
    if options.checks:
        name = item.name.partition("[")[0]
        return any(check in (checklist_item.id, name, item.name) for check in options.checks)
    return True


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    options = gate_options(config)
    selected: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    unnamed: list[str] = []
    for item in items:
        checklist_item = item_for_test_name(item.name)
        if checklist_item is None:
            if _is_gate_check(item):
                unnamed.append(item.nodeid)
            selected.append(item)
            continue
        _label_item(item, checklist_item)
        (selected if _selected(item, checklist_item, options) else deselected).append(item)
    if unnamed:
        raise pytest.UsageError(
            "checks in suites/ must be named test_P<phase>_<item>_<what>: " + ", ".join(unnamed)
        )
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected
    if any(item_for_test_name(item.name) for item in items):
        gate_profile(config)


class ExclusiveChecksNeedTheTargetAlone:
    """Under pytest-xdist, a check that changes the target (e.g. switches the portal off) would
    run while other workers check the same target, and their results would be wrong. After
    every other selection (-k, -m) is applied, such checks are refused — reported, with the
    fix, never run and never silently dropped."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        if not hasattr(config, "workerinput"):  # not a pytest-xdist worker
            return
        for item in items:
            if item.get_closest_marker(EXCLUSIVE_MARKER):
                item.stash[_REFUSAL_KEY] = (
                    "this check changes the target and cannot run beside other pytest-xdist "
                    "workers; with -n use --stage parallel, then --stage exclusive without -n "
                    "(staging-gate run does both)"
                )


_REFUSAL_KEY: pytest.StashKey[str] = pytest.StashKey()


def _refuse(refusal: GuardRefusal) -> None:
    import allure

    allure.dynamic.label("guard", "refused")  # type: ignore[no-untyped-call]
    pytest.skip(str(refusal))


def _unverified(problem: CouldNotVerify) -> None:
    """Report a check the gate could not measure: skipped in pytest terms, labelled
    ``verification=unverified`` so the sign-off blocks GO without blaming the application."""
    import allure

    allure.dynamic.label("verification", "unverified")  # type: ignore[no-untyped-call]
    pytest.skip(f"{UNVERIFIED_PREFIX} {problem}")


def _report_findings(raised: FindingRaised) -> None:
    """Typed findings → Allure: evidence attached, ``finding`` labelled; application findings
    fail the check, "could not verify" ones skip it as unverified."""
    import allure

    from staging_gate.evidence import attach_text

    for finding in raised.findings:
        for name, text in finding.evidence.items():
            attach_text(name, text)
    kind = "unverified" if raised.unverified else "application"
    allure.dynamic.label("finding", kind)  # type: ignore[no-untyped-call]
    if raised.unverified:
        _unverified(CouldNotVerify(str(raised)))
    pytest.fail(str(raised), pytrace=False)


def _judge(outcome: BaseException) -> NoReturn:
    """An outcome raised by a check's setup or body, as the gate reports it: a guard refusal
    (skipped, `guard=refused`), could-not-verify (skipped, `verification=unverified`) or
    typed findings; anything else is pytest's to report, re-raised as it came."""
    if isinstance(outcome, GuardRefusal):
        _refuse(outcome)
    if isinstance(outcome, CouldNotVerify):
        _unverified(outcome)
    if isinstance(outcome, FindingRaised):
        _report_findings(outcome)
    raise outcome


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    try:
        if _REFUSAL_KEY in item.stash:
            raise GuardRefusal(f"{REFUSAL_PREFIX} {item.stash[_REFUSAL_KEY]}")
        return (yield)
    except (GuardRefusal, CouldNotVerify, FindingRaised) as outcome:
        _judge(outcome)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    try:
        return (yield)
    except (GuardRefusal, CouldNotVerify, FindingRaised) as outcome:
        _judge(outcome)


HOLD_KEY: pytest.StashKey[PortalHold] = pytest.StashKey()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Once per run (the xdist controller, before its workers start): the portal flag on for
    the logged-in checks if the target came with it off (see
    `staging_gate.deployment.portal_hold`)."""
    config = session.config
    profile = config.stash.get(PROFILE_KEY, None)
    if profile is None or hasattr(config, "workerinput") or config.option.collectonly:
        return
    options = gate_options(config)
    if not profile.tenants or not needs_portal(phases_of(options.phases, options.checks)):
        return
    hold = hold_portal_on(Target(profile, read_only=options.read_only))
    config.stash[HOLD_KEY] = hold
    if hold.found_on is not True or hold.switched:
        session.config.get_terminal_writer().line(f"staging-gate: {hold.describe()}")
    if hold.switched and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        # A CI job cancelled with SIGTERM unwinds like Ctrl-C, so the flag is still put back.
        signal.signal(signal.SIGTERM, _interrupt_on_sigterm)


def _interrupt_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Put the portal flag back as the run found it, after every check (also on failure)."""
    hold = session.config.stash.get(HOLD_KEY, None)
    if hold is None:
        return
    not_restored = hold.release()
    if signal.getsignal(signal.SIGTERM) is _interrupt_on_sigterm:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if not_restored:
        session.config.get_terminal_writer().line(
            f"staging-gate: portal flags NOT restored to off: {', '.join(not_restored)}",
            red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def portal_hold(config: pytest.Config) -> PortalHold | None:
    """What the run found and did about the portal flag (None: nothing to hold)."""
    return config.stash.get(HOLD_KEY, None)


def gate_commit() -> str:
    """The checkout's short commit; "unknown" when the gate is installed (no checkout)."""
    checkout = resources.source_checkout()
    if checkout is None:
        return "unknown"
    try:
        completed = subprocess.run(
            ["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return completed.stdout.strip() or "unknown"


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    profile = config.stash.get(PROFILE_KEY, None)
    if profile is None:
        return None
    options = gate_options(config)
    phases = ", ".join(options.phases) or "all"
    return [
        f"staging-gate {__version__} ({gate_commit()}): target {profile.target.base_url} "
        f"(profile {profile.source}), phases: {phases}"
        + (", read-only" if options.read_only else "")
    ]


def selected_phases(items: Iterable[pytest.Item]) -> list[str]:
    phases = {ci.phase for item in items if (ci := item_for_test_name(item.name))}
    return [phase for phase in PHASES if phase in phases]
