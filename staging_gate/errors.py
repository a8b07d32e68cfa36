"""The gate's exceptions.

    GateError
    ├── ConfigError        the gate cannot judge: bad profile, missing secret,
    │                      unreachable target (CLI exit code 2)
    └── GuardRefusal       a state-changing or load check refused because the
                           target is not confirmed to be staging
"""

from __future__ import annotations


class GateError(Exception):
    """Base class for errors raised by the gate itself (never by the target)."""


class ConfigError(GateError):
    """The gate is misconfigured or cannot reach its target; one line says the fix."""


class GuardRefusal(GateError):
    """The production guard refused a state-changing check."""
