"""Assertion helpers for checks: one failure line a release manager can act on.

`__tracebackhide__` keeps pytest's traceback on the check's own line, not in here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn, TypeVar

import pytest

from staging_gate.errors import CouldNotVerify
from staging_gate.evidence import attach_text
from staging_gate.findings import Finding, FindingRaised

T = TypeVar("T")


def no_problems(problems: Sequence[str], where: str, shown: int | None = None) -> None:
    """Fail with every problem found, prefixed by where they were seen.

    With `shown`, a longer list is summarised — its count, the first `shown` problems, and
    the full list attached to the result as text evidence — so the message stays readable
    (a ledger of 400 unknown migrations is one line, not 28,000 characters).
    """
    __tracebackhide__ = True
    if not problems:
        return
    if shown is None or len(problems) <= shown:
        pytest.fail(f"{where}: " + "; ".join(problems))
    attachment = f"{where}: all {len(problems)}"
    attach_text(attachment, "\n".join(problems))
    pytest.fail(
        f"{where}: {len(problems)} problems: " + "; ".join(problems[:shown])
        + f"; … and {len(problems) - shown} more (all in the attachment '{attachment}')"
    )


def that(condition: bool, message: str) -> None:
    """Fail with `message` (expected, seen, where) unless `condition` holds."""
    __tracebackhide__ = True
    if not condition:
        pytest.fail(message)


def present(value: T | None, message: str) -> T:
    """Fail with `message` when `value` is None; otherwise hand it back, narrowed."""
    __tracebackhide__ = True
    if value is None:
        pytest.fail(message)
    return value


def unverified(what: str, fix: str = "") -> NoReturn:
    """Stop the check as "could not verify": `what` could not be measured, `fix` names the
    profile key, GRANT or setting that makes it measurable. Blocks GO, never reported as an
    application failure (the plugin labels it ``verification=unverified``).

    Raises: CouldNotVerify, always.
    """
    __tracebackhide__ = True
    raise CouldNotVerify(what, fix)


def no_findings(findings: Sequence[Finding], where: str = "") -> None:
    """Pass when a probe found nothing; otherwise stop the check with its typed findings
    (application findings fail it, only "could not verify" ones skip it as unverified —
    the plugin reports them, see `staging_gate.findings`).

    Raises: FindingRaised when `findings` is not empty.
    """
    __tracebackhide__ = True
    if findings:
        raise FindingRaised(findings, where)
