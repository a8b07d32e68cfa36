"""The portal flag held on for one gate run, whatever state the target starts in.

Every logged-in check needs the portal's login form, which the portal flag hides. A target
may come to the gate with the flag off (a release that ships dark); the strategy's order is
then the natural one — off → 404, switched on → accessible. So at the start of a pytest
session (once, in the process that owns the session: the xdist controller, never a worker)
the gate reads the flag; if it is off it switches it on behind the production guard, and at
the end of the session it switches it back off — also after failures and Ctrl-C, because
pytest runs ``pytest_sessionfinish`` then too. The flag-off checks (P3.4, P5.6) switch the
flag off themselves with sessions logged in while it was on, and their `flags` fixture
returns it to the held state.

When the flag is off and cannot be switched (read-only run, not staging, no toggle
command, the toggle failed), nothing is changed and `PortalHold.problem` says why, so a
failed login can name the cause instead of blaming the application.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from staging_gate.deployment.commands import CommandFailed
from staging_gate.deployment.flags import FlagDidNotSettle, FlagStateUnknown, FlagSwitch
from staging_gate.deployment.guard import require_staging
from staging_gate.deployment.target import Target
from staging_gate.errors import GateError
from staging_gate.profile import PHASES

#: Phases without a logged-in portal check: nothing to hold the flag on for. ("infra" has
#: one: P1.6 logs in as a tenant so the app writes cache keys; "production" -
#: verify-production - never logs in.)
_NO_PORTAL_SESSIONS = frozenset({"database", "production"})
_CHECK_PHASE = re.compile(r"^(?:test_)?P(\d+)[._]")


def phases_of(phases: Sequence[str], checks: Sequence[str]) -> set[str]:
    """The phases a run selects: `phases`, else the phases of checklist ids or test names in
    `checks` (``P5.3``, ``test_P3_4_…``), else every phase."""
    if phases:
        return set(phases)
    numbers = {int(m.group(1)) for check in checks if (m := _CHECK_PHASE.match(check))}
    if checks and len(numbers) == len(set(checks)):
        return {PHASES[n - 1] for n in numbers if 1 <= n <= len(PHASES)}
    return set(PHASES)


def needs_portal(phases: set[str]) -> bool:
    return bool(phases - _NO_PORTAL_SESSIONS)


@dataclass
class PortalHold:
    """What the gate found and did. `switched` is True when it turned the flag on (and owes
    the target a switch back); `problem` says why logged-in checks may find the login hidden."""

    flag: str
    found_on: bool | None
    switched: bool = False
    problem: str | None = None
    #: The profile's `flags.sub_flags` found off and switched on for the run (restored too).
    sub_flags_switched: list[str] = field(default_factory=list)
    _switch: FlagSwitch | None = field(default=None, repr=False)

    def describe(self) -> str:
        subs = (f"; sub-flags {', '.join(self.sub_flags_switched)} off at start, switched on "
                "for the run" if self.sub_flags_switched else "")
        if self.found_on is None:
            return f"portal flag {self.flag}: state unknown at start ({self.problem})"
        if self.found_on and self.problem is None:
            return f"portal flag {self.flag}: on at start, left alone{subs}"
        if self.found_on:
            return f"portal flag {self.flag}: on at start{subs} ({self.problem})"
        if self.problem is None:
            return (f"portal flag {self.flag}: off at start, switched on for the run "
                    f"(switched off again at the end){subs}")
        return f"portal flag {self.flag}: off at start, not switched on ({self.problem})"

    def release(self) -> list[str]:
        """Switch the flag back as found; returns what did not come back (empty = restored)."""
        if self._switch is None or not self.switched:
            return []
        not_restored = self._switch.restore()
        self.switched = False
        return not_restored


_SWITCH_ERRORS = (GateError, CommandFailed, FlagDidNotSettle, FlagStateUnknown, httpx.HTTPError)


def hold_portal_on(target: Target) -> PortalHold:
    """Read the portal flag and the profile's `flags.sub_flags` (the calls and appointments
    pages behind it); switch on those that are off (production guard first) and return a hold
    whose `release()` switches them back. Never raises: whatever stops it is recorded in
    `problem`, and the checks report what they then see. Sub-flags are read only with
    `flags.read_command` (from the outside only the portal flag can be told)."""
    flags = target.profile.flags
    switch = FlagSwitch(target)
    try:
        on = switch.is_enabled(flags.portal_flag)
    except (CommandFailed, FlagStateUnknown, httpx.HTTPError, ValueError) as error:
        return PortalHold(flags.portal_flag, None, problem=f"cannot read it: {error}")
    hold = PortalHold(flags.portal_flag, on)
    off_subs = _sub_flags_off(switch, hold) if flags.read_command else []
    if on and not off_subs:
        return hold
    if target.read_only:
        hold.problem = "--read-only: the gate switches no flag"
        return hold
    if not flags.toggle_command:
        hold.problem = "the profile has no flags.toggle_command"
        return hold
    hold._switch = switch
    try:
        require_staging(target.fingerprint, f"switching {flags.portal_flag} on for the checks")
        if not on:
            hold.switched = True  # a half-done toggle is still put back
            switch.ensure(flags.portal_flag, True)
        for sub in off_subs:
            hold.switched = True
            hold.sub_flags_switched.append(sub)
            switch.ensure(sub, True)
    except _SWITCH_ERRORS as error:
        hold.problem = f"switching it on failed: {error}"
    return hold


def _sub_flags_off(switch: FlagSwitch, hold: PortalHold) -> list[str]:
    """The profile's sub-flags that read as off (one that cannot be read is noted, not
    switched: the gate never toggles what it cannot restore)."""
    off: list[str] = []
    for sub in switch.config.sub_flags:
        try:
            if not switch.is_enabled(sub):
                off.append(sub)
        except (CommandFailed, ValueError) as error:
            hold.problem = f"cannot read sub-flag {sub}: {error}"
    return off
