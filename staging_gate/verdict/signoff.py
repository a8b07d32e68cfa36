"""The release decision: Allure results + the profile's `[signoff]` section -> GO / NO-GO.

The gate computes the verdict itself; it never depends on the HTML report or on Allure's
own quality gate. The rules, in the order a release manager asks about them:

- Only **required** phases (``signoff.required_phases``) can block. Advisory phases are
  counted and shown, never blocking.
- A required phase that was selected blocks when a check in it **failed** or **broke**,
  was **refused** by the production guard or **skipped** (either way the gate could not
  verify it), or when fewer than ``signoff.min_checks[phase]`` (default 1) checks ran —
  "no checks ran".
- A **waiver** (checklist ID or test name, reason, owner, expiry) turns a failing,
  refused or skipped check into "waived" until its expiry date (inclusive); after that the
  check blocks again and the reason says the waiver expired.
- A check that failed and then passed on a rerun is **flaky**: counted and listed, and
  blocking only when ``signoff.flaky_blocks`` is true.
- A **partial** run (only some phases selected, or ``-k``/``-m``) says so and lists the
  phases that did not run; phases that were not selected do not block.
- A run in which no check ran at all is never GO.
- An **interrupted** run (SIGTERM from a cancelled CI job, Ctrl-C) is never GO: the
  sign-off says so and lists the checklist items that produced no result.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from staging_gate.checklist import (
    BY_ID,
    PHASE_TITLES,
    PRODUCTION_BY_ID,
    item_for_test_name,
    phase_title,
)
from staging_gate.errors import ConfigError
from staging_gate.profile import PHASES, SignoffSection, Waiver
from staging_gate.verdict.allure_results import TestOutcome, read_outcomes
from staging_gate.verdict.signoff_markdown import format_summary_table, render_markdown
from staging_gate.verdict.signoff_model import (
    RAN,
    CheckResult,
    CheckStatus,
    PhaseCounts,
    PhaseStatus,
    PhaseSummary,
    Signoff,
    WaiverState,
    WaiverUse,
    signoff_from_dict,
)

__all__ = [
    "CheckResult",
    "PhaseSummary",
    "Signoff",
    "WaiverState",
    "compute_signoff",
    "format_summary_table",
    "mark_interrupted",
    "read_signoff",
    "write_signoff",
]

UNASSIGNED = "unassigned"
_PHASE_BY_TITLE = {title: phase for phase, title in PHASE_TITLES.items()}
_MESSAGE_LIMIT = 2000
#: Statuses a waiver can cover; in a required phase each of them blocks GO without one.
UNVERIFIED: frozenset[CheckStatus] = frozenset(
    {"failed", "broken", "refused", "skipped", "unverified"}
)


# -- one test outcome -> one check ---------------------------------------------------------


def _checklist_id(outcome: TestOutcome) -> str:
    final = outcome.final
    label = final.label("checklist")
    if label:
        return label
    item = item_for_test_name(final.name)
    return item.id if item else ""


def _phase(outcome: TestOutcome, checklist_id: str) -> str:
    final = outcome.final
    label = final.label("phase")
    if label:
        return label
    epic = final.label("epic")
    if epic in _PHASE_BY_TITLE:
        return _PHASE_BY_TITLE[epic]
    item = BY_ID.get(checklist_id) or PRODUCTION_BY_ID.get(checklist_id)
    return item.phase if item else UNASSIGNED


def _clean_message(message: str) -> str:
    """pytest prefixes ``pytest.skip``/``pytest.fail`` reasons; the reason is what reads."""
    text = message.removeprefix("Skipped: ").removeprefix("Failed: ").strip()
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"


def _is_refused(outcome: TestOutcome) -> bool:
    """Refused by the production guard: the plugin labels it ``guard=refused`` (the message
    is never parsed)."""
    final = outcome.final
    return final.status == "skipped" and final.label("guard") == "refused"


def _is_unverified(outcome: TestOutcome) -> bool:
    final = outcome.final
    return final.status == "skipped" and final.label("verification") == "unverified"


def _raw_status(outcome: TestOutcome) -> CheckStatus:
    if _is_refused(outcome):
        return "refused"
    if _is_unverified(outcome):
        return "unverified"
    if outcome.flaky:
        return "flaky"
    status = outcome.final.status
    if status == "unknown":
        return "broken"
    return status


def _check_name(outcome: TestOutcome, checklist_id: str) -> str:
    """The plugin's display title without its ID prefix, plus parameters if any."""
    final = outcome.final
    name = final.name.removeprefix(f"{checklist_id} ") if checklist_id else final.name
    if final.parameters and "[" not in name:
        name += f" [{', '.join(final.parameters)}]"
    return name


def _waiver_for(waivers: Sequence[Waiver], check: CheckResult) -> Waiver | None:
    """The first waiver naming the check's ID, its test function, or its name."""
    keys = {check.id, check.test, check.name, check.name.partition(" [")[0]} - {""}
    return next((waiver for waiver in waivers if waiver.id in keys), None)


def _observed(outcome: TestOutcome) -> CheckResult:
    """The check as it ran, before waivers."""
    checklist_id = _checklist_id(outcome)
    final = outcome.final
    status = _raw_status(outcome)
    message = _clean_message(final.message)
    if status == "flaky":
        failed_attempt = next(a for a in outcome.attempts if a.status in ("failed", "broken"))
        message = f"passed on retry; attempt 1 said: {_clean_message(failed_attempt.message)}"
    item = BY_ID.get(checklist_id) or PRODUCTION_BY_ID.get(checklist_id)
    return CheckResult(
        id=checklist_id,
        name=_check_name(outcome, checklist_id),
        phase=_phase(outcome, checklist_id),
        status=status,
        message=message,
        severity=final.label("severity") or (item.severity if item else "normal"),
        test=final.function,
        attempts=len(outcome.attempts),
    )


def _apply_waivers(check: CheckResult, config: SignoffSection, today: dt.date) -> CheckResult:
    if check.status not in UNVERIFIED:
        return check
    waiver = _waiver_for(config.waivers, check)
    if waiver is None:
        return check
    if today <= waiver.expires:
        note = f"{check.status}, waived by {waiver.owner} until {waiver.expires}: {waiver.reason}"
        return replace(check, status="waived", note=note)
    return replace(check, note=f"waiver by {waiver.owner} expired on {waiver.expires}")


# -- checks -> phases, reasons, verdict ----------------------------------------------------


def _blocking_reason(check: CheckResult, config: SignoffSection) -> str | None:
    """Why this check in a required phase blocks GO, or None if it does not."""
    where = f"({check.phase}, required)"
    first_line = check.message.splitlines()[0] if check.message else "no message"
    expired = f" — {check.note}" if check.note else ""
    if check.status in ("failed", "broken"):
        return f"{check.title} {check.status} {where}: {first_line}{expired}"
    if check.status == "refused":
        return (
            f"{check.title} refused by the production guard {where}: "
            f"the gate could not verify it — {first_line}{expired}"
        )
    if check.status == "unverified":
        return f"{check.title} not verified {where}: {first_line}{expired}"
    if check.status == "skipped":
        return (
            f"{check.title} was skipped {where}: {first_line} — "
            f"the gate could not verify it{expired}"
        )
    if check.status == "flaky" and config.flaky_blocks:
        return f"{check.title} is flaky {where} and signoff.flaky_blocks is true: {first_line}"
    return None


def _phase_order(phases: set[str]) -> list[str]:
    known = [phase for phase in PHASES if phase in phases]
    return known + sorted(phases - set(PHASES))


def _summarize_phase(
    phase: str,
    checks: list[CheckResult],
    config: SignoffSection,
    expected: bool,
) -> tuple[PhaseSummary, list[str]]:
    """One phase's counts and status, and the reasons it blocks GO (if required)."""
    required = phase in config.required_phases
    minimum = config.min_checks.get(phase, 1)
    counts = PhaseCounts.of(checks)
    check_reasons = [r for c in checks if (r := _blocking_reason(c, config)) is not None]
    shortfall: list[str] = []
    if expected and counts.ran < minimum:
        shortfall = [
            f"phase {phase}: no checks ran ({counts.skipped} skipped, {counts.refused} refused, "
            f"{counts.unverified} not verified)"
            if counts.ran == 0
            else f"phase {phase}: only {counts.ran} check(s) ran, "
            f"signoff.min_checks requires {minimum}"
        ]
    failing = any(c.status in ("failed", "broken") for c in checks) or (
        config.flaky_blocks and counts.flaky > 0
    )
    status: PhaseStatus
    if not checks and not expected:
        status = "not-run"
    elif failing:
        status = "failed"
    elif shortfall or counts.refused or counts.skipped or counts.unverified:
        status = "incomplete"
    else:
        status = "passed"
    reasons = [*check_reasons, *shortfall] if required else []
    summary = PhaseSummary(
        phase=phase,
        title=phase_title(phase),
        required=required,
        status=status,
        counts=counts,
        min_checks=minimum,
        blocking=bool(reasons),
    )
    return summary, reasons


def _waiver_states(
    config: SignoffSection, checks: Sequence[CheckResult], today: dt.date
) -> tuple[WaiverState, ...]:
    states = []
    for waiver in config.waivers:
        covered = tuple(
            check.title
            for check in checks
            if check.note and _waiver_for((waiver,), check) is waiver
        )
        use: WaiverUse = (
            "expired" if today > waiver.expires else ("applied" if covered else "unused")
        )
        states.append(
            WaiverState(waiver.id, waiver.reason, waiver.owner, waiver.expires, use, covered)
        )
    return tuple(states)


def compute_signoff(
    results_dir: Path,
    config: SignoffSection,
    selected_phases: Sequence[str] | None = None,
    partial: bool = False,
    today: dt.date | None = None,
    phases: Sequence[str] = PHASES,
) -> Signoff:
    """The verdict over the allure results in ``results_dir``.

    ``selected_phases`` are the phases the run was asked for (``--phase``); None means
    every phase, unless ``partial`` (``-k``/``-m`` narrowed the run), in which case only
    the phases that produced results are expected. ``phases`` is the checklist's whole set of
    phases (the staging checklist by default; ``("production",)`` for verify-production).
    """
    today = today or dt.date.today()
    checks = [
        _apply_waivers(_observed(outcome), config, today) for outcome in read_outcomes(results_dir)
    ]
    if selected_phases is None:
        expected = set() if partial else set(phases)
    else:
        expected = set(selected_phases)
        partial = partial or expected != set(phases)
    by_phase: dict[str, list[CheckResult]] = {p: [] for p in phases}
    for check in checks:
        by_phase.setdefault(check.phase, []).append(check)
    summaries: list[PhaseSummary] = []
    reasons: list[str] = []
    for phase in _phase_order(set(by_phase)):
        phase_checks = by_phase[phase]
        summary, phase_reasons = _summarize_phase(
            phase, phase_checks, config, expected=phase in expected or bool(phase_checks)
        )
        summaries.append(summary)
        reasons += phase_reasons
    if not any(check.status in RAN for check in checks):
        reasons.append("no checks ran at all: the gate verified nothing")
    return Signoff(
        verdict="NO-GO" if reasons else "GO",
        partial=partial,
        reasons=tuple(reasons),
        phases=tuple(summaries),
        checks=tuple(sorted(checks, key=_check_order)),
        waivers=_waiver_states(config, checks, today),
        not_run=tuple(s.phase for s in summaries if s.counts.total == 0),
        generated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


def mark_interrupted(
    signoff: Signoff, how: str, selected_phases: Sequence[str] | None = None
) -> Signoff:
    """`signoff` of a run that stopped early: NO-GO, `how` it stopped ("SIGTERM during the
    state-changing checks"), and first among the reasons the checklist items of the
    selected phases (default: all) that have no result."""
    phases = set(selected_phases or PHASES)
    seen = {check.id for check in signoff.checks}
    missing = [item.id for item in BY_ID.values() if item.phase in phases and item.id not in seen]
    did_not_run = f"{len(missing)} checklist item(s) did not run: {', '.join(missing)}" if (
        missing) else "every checklist item has at least one result"
    reason = f"the run was interrupted ({how}) before it finished; {did_not_run}"
    return replace(signoff, verdict="NO-GO", interrupted=how, reasons=(reason, *signoff.reasons))


def _check_order(check: CheckResult) -> tuple[int, tuple[int, ...], str]:
    phase_index = PHASES.index(check.phase) if check.phase in PHASES else len(PHASES)
    numbers = tuple(int(part) for part in check.id[1:].split(".") if part.isdigit())
    return phase_index, numbers, check.name


# -- output --------------------------------------------------------------------------------


def write_signoff(signoff: Signoff, out_dir: Path) -> tuple[Path, Path]:
    """Write ``signoff.json`` and ``signoff.md`` into ``out_dir``; return both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "signoff.json"
    md_path = out_dir / "signoff.md"
    json_path.write_text(
        json.dumps(signoff.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    md_path.write_text(render_markdown(signoff), encoding="utf-8")
    return json_path, md_path


def read_signoff(path: Path) -> Signoff:
    """A ``signoff.json`` written by `write_signoff`, read back."""
    try:
        return signoff_from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigError(f"cannot read sign-off {path}: {error}") from None
