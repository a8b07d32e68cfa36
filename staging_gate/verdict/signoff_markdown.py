"""The sign-off for people: ``signoff.md`` (also $GITHUB_STEP_SUMMARY) and the terminal table.

Order follows what a release manager asks: the verdict, why, which checks failed and what
they said, then the per-phase picture, waivers and flaky checks.
"""

from __future__ import annotations

from staging_gate.verdict.signoff_model import CheckResult, CheckStatus, PhaseSummary, Signoff

_ICON = {"GO": "✅", "NO-GO": "❌"}
_PHASE_ICON = {"passed": "✅", "failed": "❌", "incomplete": "⚠️", "not-run": "➖"}
_COUNT_COLUMNS = (
    "passed", "failed", "broken", "skipped", "refused", "unverified", "waived", "flaky"
)
_FAILING: tuple[CheckStatus, ...] = ("failed", "broken", "refused", "skipped")
_CELL_LIMIT = 240


def _cell(text: str) -> str:
    """One markdown table cell: one line, pipes escaped, long messages shortened."""
    line = " ".join(text.split())
    if len(line) > _CELL_LIMIT:
        line = line[: _CELL_LIMIT - 1] + "…"
    return line.replace("|", "\\|") or "—"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [_row(header), _row(["---"] * len(header)), *(_row(r) for r in rows)]


def _is_required(check: CheckResult, signoff: Signoff) -> bool:
    return any(p.required for p in signoff.phases if p.phase == check.phase)


def _failing_order(check: CheckResult, signoff: Signoff) -> tuple[int, int]:
    return (0 if _is_required(check, signoff) else 1), _FAILING.index(check.status)


def _headline(signoff: Signoff) -> list[str]:
    ran = sum(p.counts.ran for p in signoff.phases)
    lines = [f"# {_ICON[signoff.verdict]} {signoff.verdict} — staging sign-off", ""]
    if signoff.interrupted:
        lines += [
            f"**Run interrupted** ({signoff.interrupted}): the gate did not finish, so this is "
            "no verdict on the application — run it again.",
            "",
        ]
    scope = "partial run" if signoff.partial else "full run"
    lines.append(f"**{scope}**, {ran} checks ran, generated {signoff.generated_at}.")
    if signoff.partial and signoff.not_run:
        lines.append(f"Not run in this run: {', '.join(signoff.not_run)}.")
    lines.append("")
    if signoff.reasons:
        lines += ["## Why NO-GO", "", *(f"- {_cell(reason)}" for reason in signoff.reasons), ""]
    return lines


def _failing_section(signoff: Signoff) -> list[str]:
    failing = sorted(signoff.checks_with(*_FAILING), key=lambda c: _failing_order(c, signoff))
    if not failing:
        return []
    rows = [
        [
            c.id or "—",
            _cell(c.name),
            c.phase,
            c.status if _is_required(c, signoff) else f"{c.status} (advisory, does not block)",
            c.severity,
            _cell(c.message + (f" ({c.note})" if c.note else "")),
        ]
        for c in failing
    ]
    header = ["ID", "Check", "Phase", "Status", "Severity", "Message"]
    return ["## Failing checks", "", *_table(header, rows), ""]


def _unverified_section(signoff: Signoff) -> list[str]:
    """Checks the gate could not measure: they block GO, but they are not application
    failures — each message names the profile key, GRANT or setting that fixes it."""
    unverified = signoff.checks_with("unverified")
    if not unverified:
        return []
    rows = [
        [
            c.id or "—",
            _cell(c.name),
            c.phase,
            "blocks" if _is_required(c, signoff) else "advisory",
            _cell(c.message.removeprefix("Could not verify:").strip()),
        ]
        for c in unverified
    ]
    header = ["ID", "Check", "Phase", "Effect", "What could not be measured — and the fix"]
    return [
        "## Not verified (gate could not measure — not an application failure)",
        "",
        *_table(header, rows),
        "",
    ]


def _phase_row(summary: PhaseSummary) -> list[str]:
    counts = summary.counts.to_dict()
    return [
        f"{_PHASE_ICON[summary.status]} {summary.title}",
        "required" if summary.required else "advisory",
        summary.status + (" (blocks)" if summary.blocking else ""),
        *(str(counts[column]) for column in _COUNT_COLUMNS),
    ]


def _phase_section(signoff: Signoff) -> list[str]:
    header = ["Phase", "Kind", "Status", *_COUNT_COLUMNS]
    return ["## Phases", "", *_table(header, [_phase_row(p) for p in signoff.phases]), ""]


def _waiver_section(signoff: Signoff) -> list[str]:
    if not signoff.waivers:
        return []
    rows = [
        [w.id, w.owner, w.expires.isoformat(), w.use, _cell(w.reason), _cell(", ".join(w.checks))]
        for w in signoff.waivers
    ]
    header = ["Waiver", "Owner", "Expires", "State", "Reason", "Checks"]
    return ["## Waivers", "", *_table(header, rows), ""]


def _flaky_section(signoff: Signoff) -> list[str]:
    flaky = signoff.checks_with("flaky")
    if not flaky:
        return []
    lines = [
        f"- {_cell(c.title)} ({c.phase}, {c.attempts} attempts): {_cell(c.message)}" for c in flaky
    ]
    return ["## Flaky checks", "", *lines, ""]


def render_markdown(signoff: Signoff) -> str:
    sections = [
        _headline(signoff),
        _failing_section(signoff),
        _unverified_section(signoff),
        _phase_section(signoff),
        _waiver_section(signoff),
        _flaky_section(signoff),
    ]
    return "\n".join(line for section in sections for line in section).rstrip() + "\n"


def format_summary_table(signoff: Signoff) -> str:
    """The terminal table (plain text, fixed width): phases, then the verdict and reasons."""
    width = max([len("phase"), *(len(p.phase) for p in signoff.phases)])
    header = f"{'phase':<{width}}  {'kind':<8}  {'status':<10}" + "".join(
        f"  {column[:7]:>7}" for column in _COUNT_COLUMNS
    )
    lines = [header, "-" * len(header)]
    for p in signoff.phases:
        counts = p.counts.to_dict()
        kind = "required" if p.required else "advisory"
        lines.append(
            f"{p.phase:<{width}}  {kind:<8}  {p.status:<10}"
            + "".join(f"  {counts[column]:>7}" for column in _COUNT_COLUMNS)
        )
    partial = " (partial run)" if signoff.partial else ""
    partial += " (interrupted)" if signoff.interrupted else ""
    lines += ["", f"Verdict: {signoff.verdict}{partial}"]
    lines += [f"  - {reason.splitlines()[0]}" for reason in signoff.reasons]
    return "\n".join(lines)
