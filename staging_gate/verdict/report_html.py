"""The sign-off panel placed at the top of the single-file Allure report.

Plain HTML and CSS (no script), inside a ``<details open>`` so a reader can fold it away
and use Allure's own page below it.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from staging_gate.verdict.signoff_model import CheckResult, CheckStatus, PhaseSummary, Signoff

PANEL_ID = "staging-gate-signoff"
_FAILING: tuple[CheckStatus, ...] = ("failed", "broken", "refused")
_MESSAGE_LIMIT = 300

_STYLE = f"""
#{PANEL_ID} {{ font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: #1d2433; background: #fff; border-bottom: 1px solid #d8dde6; padding: 16px 24px; }}
#{PANEL_ID} summary {{ cursor: pointer; list-style: none; display: flex; gap: 12px;
  align-items: center; flex-wrap: wrap; }}
#{PANEL_ID} .verdict {{ font-size: 22px; font-weight: 700; padding: 4px 14px;
  border-radius: 6px; color: #fff; }}
#{PANEL_ID} .go {{ background: #1f883d; }} #{PANEL_ID} .nogo {{ background: #cf222e; }}
#{PANEL_ID} .tag {{ border: 1px solid #8c959f; border-radius: 12px; padding: 1px 10px;
  font-size: 12px; color: #57606a; }}
#{PANEL_ID} h2 {{ font-size: 15px; margin: 14px 0 6px; }}
#{PANEL_ID} ul {{ margin: 4px 0; padding-left: 20px; }}
#{PANEL_ID} table {{ border-collapse: collapse; width: 100%; font-size: 13px; }}
#{PANEL_ID} th, #{PANEL_ID} td {{ text-align: left; padding: 4px 8px;
  border-bottom: 1px solid #eaeef2; vertical-align: top; }}
#{PANEL_ID} .phases {{ display: grid; gap: 8px;
  grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); }}
#{PANEL_ID} .phase {{ border: 1px solid #d8dde6; border-left-width: 5px; border-radius: 6px;
  padding: 6px 10px; }}
#{PANEL_ID} .phase b {{ display: block; }}
#{PANEL_ID} .passed {{ border-left-color: #1f883d; }}
#{PANEL_ID} .failed {{ border-left-color: #cf222e; }}
#{PANEL_ID} .incomplete {{ border-left-color: #bf8700; }}
#{PANEL_ID} .not-run {{ border-left-color: #8c959f; color: #57606a; }}
#{PANEL_ID} .counts {{ font-size: 12px; color: #57606a; }}
"""


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _MESSAGE_LIMIT else line[: _MESSAGE_LIMIT - 1] + "…"


def _summary_line(signoff: Signoff) -> str:
    css = "go" if signoff.go else "nogo"
    ran = sum(p.counts.ran for p in signoff.phases)
    tags = [f"{ran} checks ran", "partial run" if signoff.partial else "full run"]
    if signoff.partial and signoff.not_run:
        tags.append("not run: " + ", ".join(signoff.not_run))
    tag_html = "".join(f'<span class="tag">{escape(tag)}</span>' for tag in tags)
    return (
        f'<summary><span class="verdict {css}">{escape(signoff.verdict)}</span>'
        f"<strong>Staging sign-off</strong>{tag_html}</summary>"
    )


def _reasons(signoff: Signoff) -> str:
    if not signoff.reasons:
        return "<p>Every required phase ran its checks and none failed.</p>"
    items = "".join(f"<li>{escape(_short(reason))}</li>" for reason in signoff.reasons)
    return f"<h2>Why NO-GO</h2><ul>{items}</ul>"


def _check_row(check: CheckResult) -> str:
    cells = [check.id or "—", check.name, check.phase, check.status, _short(check.message)]
    return "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in cells) + "</tr>"


def _failing(signoff: Signoff) -> str:
    failing = signoff.checks_with(*_FAILING)
    if not failing:
        return ""
    header = "".join(f"<th>{h}</th>" for h in ("ID", "Check", "Phase", "Status", "Message"))
    rows = "".join(_check_row(check) for check in failing)
    return f"<h2>Failing checks</h2><table><tr>{header}</tr>{rows}</table>"


def _unverified(signoff: Signoff) -> str:
    """Checks the gate could not measure, apart from application failures."""
    unverified = signoff.checks_with("unverified")
    if not unverified:
        return ""
    header = "".join(f"<th>{h}</th>" for h in ("ID", "Check", "Phase", "Status", "Message"))
    rows = "".join(_check_row(check) for check in unverified)
    return (
        "<h2>Not verified (the gate could not measure — not an application failure)</h2>"
        f"<table><tr>{header}</tr>{rows}</table>"
    )


def _phase_card(phase: PhaseSummary) -> str:
    kind = "required" if phase.required else "advisory"
    counts = ", ".join(f"{n} {name}" for name, n in phase.counts.to_dict().items() if n)
    return (
        f'<div class="phase {escape(phase.status)}"><b>{escape(phase.title)}</b>'
        f"{escape(phase.status)} · {kind}"
        f'<div class="counts">{escape(counts or "no results")}</div></div>'
    )


def _extras(signoff: Signoff) -> str:
    parts = []
    flaky = signoff.checks_with("flaky")
    if flaky:
        items = "".join(f"<li>{escape(c.title)}: {escape(_short(c.message))}</li>" for c in flaky)
        parts.append(f"<h2>Flaky checks</h2><ul>{items}</ul>")
    if signoff.waivers:
        items = "".join(
            f"<li>{escape(w.id)} ({escape(w.use)}, owner {escape(w.owner)}, "
            f"expires {w.expires}): {escape(w.reason)}</li>"
            for w in signoff.waivers
        )
        parts.append(f"<h2>Waivers</h2><ul>{items}</ul>")
    return "".join(parts)


def signoff_panel(signoff: Signoff, trend: str = "") -> str:
    """The panel; `trend` is an optional SVG (our own, trusted) of load p95 over recent runs."""
    cards = "".join(_phase_card(phase) for phase in signoff.phases)
    trend_html = f"<h2>Load: p95 per request over recent runs</h2>{trend}" if trend else ""
    return (
        f'<section id="{PANEL_ID}"><style>{_STYLE}</style><details open>'
        f"{_summary_line(signoff)}{_reasons(signoff)}{_failing(signoff)}{_unverified(signoff)}"
        f'<h2>Phases</h2><div class="phases">{cards}</div>{_extras(signoff)}{trend_html}'
        "</details></section>"
    )


def inject_panel(index: Path, panel: str) -> None:
    """Put ``panel`` first inside ``<body>`` of the rendered report."""
    html = index.read_text(encoding="utf-8")
    marker = "<body>"
    position = html.find(marker)
    if position < 0:
        raise ValueError(f"{index} has no <body>; cannot place the sign-off panel")
    cut = position + len(marker)
    index.write_text(html[:cut] + panel + html[cut:], encoding="utf-8")
