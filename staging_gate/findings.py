"""Typed findings: what a probe found, as data the plugin reports — never a bare string.

A `Finding` carries the checklist item it judges, its severity, one message a release
manager can act on, the evidence to attach, and whether it is the application's failure or
the gate's "could not verify". A probe that must stop a check raises `FindingRaised`; a
check with a list of findings calls `staging_gate.expect.no_findings`. The plugin turns
either into the Allure outcome and labels (``finding=application`` → failed;
``finding=unverified`` + ``verification=unverified`` → a labelled skip), which is all the
sign-off reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from staging_gate.checklist import Severity

Kind = Literal["application", "unverified"]


@dataclass(frozen=True)
class Finding:
    """One finding of a probe.

    ``checklist_id``: the item judged (``"P6.5"``); ``severity``: Allure's scale;
    ``message``: what is wrong and where (for "could not verify": what could not be
    measured); ``evidence``: attachment name → text; ``kind``: ``"application"`` (the
    target is wrong) or ``"unverified"`` (the gate could not measure); ``fix``: for
    "unverified", which profile key, GRANT or setting makes it measurable.
    """

    checklist_id: str
    message: str
    severity: Severity = "critical"
    evidence: Mapping[str, str] = field(default_factory=dict)
    kind: Kind = "application"
    fix: str = ""

    @property
    def unverified(self) -> bool:
        return self.kind == "unverified"

    def describe(self) -> str:
        """The one line reported: the message, plus ``— fix: …`` when there is a fix."""
        return f"{self.message} — fix: {self.fix}" if self.fix else self.message


class FindingRaised(Exception):
    """Stops a check with its findings; the plugin reports them (see module docstring).
    ``where`` prefixes the reported line (``"GET /portal/calls"``)."""

    def __init__(self, findings: Sequence[Finding], where: str = "") -> None:
        self.findings = tuple(findings)
        self.where = where
        super().__init__(summary(self.findings, where))

    @property
    def unverified(self) -> bool:
        """True when no finding is the application's: the check could not be verified."""
        return all(finding.unverified for finding in self.findings)


def summary(findings: Sequence[Finding], where: str = "") -> str:
    """The reported line: application findings first (they decide), ``; ``-joined."""
    shown = [f for f in findings if not f.unverified] or list(findings)
    text = "; ".join(finding.describe() for finding in shown)
    return f"{where}: {text}" if where else text
