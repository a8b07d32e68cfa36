"""The gate's exceptions.

    GateError
    ├── ConfigError        the gate cannot judge: bad profile, missing secret,
    │                      unreachable target (CLI exit code 2)
    ├── GuardRefusal       a state-changing or load check refused because the
    │                      target is not confirmed to be staging
    └── CouldNotVerify     a check could not measure what it judges (a selector that
                           matched nothing, a profile SQL error, a missing privilege,
                           counters reset mid-check, a saturated load generator); it
                           blocks GO but is never an application failure
"""

from __future__ import annotations


class GateError(Exception):
    """Base class for errors raised by the gate itself (never by the target)."""


class ConfigError(GateError):
    """The gate is misconfigured or cannot reach its target; one line says the fix."""


class GuardRefusal(GateError):
    """The production guard refused a state-changing check."""


UNVERIFIED_PREFIX = "Could not verify:"


class CouldNotVerify(GateError):
    """The gate could not measure what a check judges; the message names the fix.

    ``what`` says what could not be measured, ``fix`` which profile key, GRANT or setting
    makes it measurable (``[portal.calls].row_selector matched nothing on /portal/calls``).
    """

    def __init__(self, what: str, fix: str = "") -> None:
        self.what = what
        self.fix = fix
        super().__init__(f"{what} — fix: {fix}" if fix else what)
