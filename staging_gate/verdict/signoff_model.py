"""The sign-off as typed, frozen values and their JSON form (``signoff.json``).

Signoff
├── verdict, partial, reasons (why NO-GO), not_run (phases without results)
├── phases: PhaseSummary (counts per status, required, status, blocking)
├── checks: CheckResult (checklist ID, name, phase, status, message, severity)
└── waivers: WaiverState (the profile's waiver and what it did in this run)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

Verdict = Literal["GO", "NO-GO"]
CheckStatus = Literal[
    "passed", "failed", "broken", "skipped", "refused", "unverified", "waived", "flaky"
]
PhaseStatus = Literal["passed", "failed", "incomplete", "not-run"]
WaiverUse = Literal["applied", "expired", "unused"]

CHECK_STATUSES: tuple[CheckStatus, ...] = get_args(CheckStatus)
#: Statuses of a check that executed (as opposed to skipped or refused by the guard).
RAN: frozenset[CheckStatus] = frozenset({"passed", "failed", "broken", "waived", "flaky"})


@dataclass(frozen=True)
class CheckResult:
    id: str
    name: str
    phase: str
    status: CheckStatus
    message: str = ""
    severity: str = "normal"
    #: The pytest test function; waivers may name it instead of the checklist ID.
    test: str = ""
    attempts: int = 1
    #: Why a failing check does or does not block (expired waiver, advisory phase, ...).
    note: str = ""

    @property
    def title(self) -> str:
        return f"{self.id} {self.name}" if self.id else self.name

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "phase": self.phase,
            "status": self.status,
            "message": self.message,
            "severity": self.severity,
            "test": self.test,
            "attempts": self.attempts,
            "note": self.note,
        }


@dataclass(frozen=True)
class PhaseCounts:
    passed: int = 0
    failed: int = 0
    broken: int = 0
    skipped: int = 0
    refused: int = 0
    #: The gate could not measure (selector matched nothing, missing privilege, ...).
    unverified: int = 0
    waived: int = 0
    flaky: int = 0

    @classmethod
    def of(cls, checks: list[CheckResult]) -> PhaseCounts:
        return cls(**{status: sum(c.status == status for c in checks) for status in CHECK_STATUSES})

    @property
    def ran(self) -> int:
        return self.passed + self.failed + self.broken + self.waived + self.flaky

    @property
    def total(self) -> int:
        return self.ran + self.skipped + self.refused + self.unverified

    def to_dict(self) -> dict[str, int]:
        return {status: getattr(self, status) for status in CHECK_STATUSES}


@dataclass(frozen=True)
class PhaseSummary:
    phase: str
    title: str
    required: bool
    status: PhaseStatus
    counts: PhaseCounts
    min_checks: int = 1
    blocking: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "required": self.required,
            "blocking": self.blocking,
            "title": self.title,
            "min_checks": self.min_checks,
            **self.counts.to_dict(),
        }


@dataclass(frozen=True)
class WaiverState:
    id: str
    reason: str
    owner: str
    expires: dt.date
    use: WaiverUse
    checks: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires.isoformat(),
            "state": self.use,
            "checks": list(self.checks),
        }


@dataclass(frozen=True)
class Signoff:
    verdict: Verdict
    partial: bool
    reasons: tuple[str, ...]
    phases: tuple[PhaseSummary, ...]
    checks: tuple[CheckResult, ...]
    waivers: tuple[WaiverState, ...]
    not_run: tuple[str, ...]
    generated_at: str
    #: Why the run stopped before its end ("SIGTERM during the state-changing checks"), or "".
    interrupted: str = ""

    @property
    def go(self) -> bool:
        return self.verdict == "GO"

    def phase(self, name: str) -> PhaseSummary:
        return next(summary for summary in self.phases if summary.phase == name)

    def checks_with(self, *statuses: CheckStatus) -> list[CheckResult]:
        return [check for check in self.checks if check.status in statuses]

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "partial": self.partial,
            "reasons": list(self.reasons),
            "not_run": list(self.not_run),
            "phases": {summary.phase: summary.to_dict() for summary in self.phases},
            "checks": [check.to_dict() for check in self.checks],
            "waivers": [waiver.to_dict() for waiver in self.waivers],
            "flaky": [check.title for check in self.checks_with("flaky")],
            "unverified": [check.title for check in self.checks_with("unverified")],
            "generated_at": self.generated_at,
            "interrupted": self.interrupted or None,
        }


def signoff_from_dict(data: dict[str, Any]) -> Signoff:
    """The inverse of `Signoff.to_dict` (reads a ``signoff.json`` back)."""
    phases = tuple(
        PhaseSummary(
            phase=name,
            title=str(entry.get("title", name)),
            required=bool(entry["required"]),
            status=cast(PhaseStatus, entry["status"]),
            counts=PhaseCounts(**{s: int(entry.get(s, 0)) for s in CHECK_STATUSES}),
            min_checks=int(entry.get("min_checks", 1)),
            blocking=bool(entry.get("blocking", False)),
        )
        for name, entry in data["phases"].items()
    )
    checks = tuple(
        CheckResult(
            id=str(entry["id"]),
            name=str(entry["name"]),
            phase=str(entry["phase"]),
            status=cast(CheckStatus, entry["status"]),
            message=str(entry.get("message", "")),
            severity=str(entry.get("severity", "normal")),
            test=str(entry.get("test", "")),
            attempts=int(entry.get("attempts", 1)),
            note=str(entry.get("note", "")),
        )
        for entry in data["checks"]
    )
    waivers = tuple(
        WaiverState(
            id=str(entry["id"]),
            reason=str(entry["reason"]),
            owner=str(entry["owner"]),
            expires=dt.date.fromisoformat(str(entry["expires"])),
            use=cast(WaiverUse, entry["state"]),
            checks=tuple(str(name) for name in entry.get("checks", ())),
        )
        for entry in data.get("waivers", ())
    )
    return Signoff(
        verdict=cast(Verdict, data["verdict"]),
        partial=bool(data["partial"]),
        reasons=tuple(str(reason) for reason in data["reasons"]),
        phases=phases,
        checks=checks,
        waivers=waivers,
        not_run=tuple(str(phase) for phase in data.get("not_run", ())),
        generated_at=str(data.get("generated_at", "")),
        interrupted=str(data.get("interrupted") or ""),
    )
