"""P6.1–P6.4: p95 latency under the profile's load stays within budget, and requests succeed.

One Locust run (see conftest) is judged per budget: homepage, admin dashboard, portal
dashboard, every portal API endpoint (list and detail). Exclusive: it generates load.
Each request's p95 is also compared with the same request in the last GO runs
(budgets.baseline): a slowdown is reported, and fails the check when baseline.blocking.
A saturated load generator measures itself: then the checks say they could not verify.
"""

import warnings
from collections.abc import Callable
from dataclasses import asdict

import pytest

from staging_gate import expect
from staging_gate.evidence import attach_json, attach_text
from staging_gate.probes.load_baseline import budget_verdict
from staging_gate.probes.load_generator import SATURATION_FIX
from staging_gate.probes.performance import BUDGET_TITLES, BudgetKind

pytestmark = pytest.mark.exclusive


@pytest.fixture
def within_budget(load_run, profile, load_history) -> Callable[[BudgetKind], None]:
    """For a budget kind: its requests attached, judged (`load_baseline.budget_verdict`) and
    asserted; a saturated load generator makes it "could not verify"."""

    def judge_kind(kind: BudgetKind) -> None:
        __tracebackhide__ = True
        rule = next(rule for rule in load_run.rules if rule.kind == kind)
        budgets = profile.budgets
        verdict = budget_verdict(load_run.stats, rule, budgets.max_failure_ratio, load_history,
                                 budgets.baseline)
        attach_json(f"{BUDGET_TITLES[kind]} under load", [asdict(s) for s in verdict.covered])
        if load_run.saturated is not None:
            expect.unverified(load_run.saturated.describe(), SATURATION_FIX)
        if verdict.advisory:
            attach_text("slower than the last GO runs (advisory: budgets.baseline.blocking = "
                        "false)", "\n".join(verdict.advisory))
            warnings.warn("; ".join(verdict.advisory), stacklevel=1)
        expect.no_problems(
            verdict.problems,
            f"{BUDGET_TITLES[kind]} under load ({budgets.load.users} users, "
            f"{budgets.load.duration_seconds} s)",
        )

    return judge_kind


def test_P6_1_homepage_p95_within_budget(within_budget):
    """Anonymous visitors: homepage p95 under homepage_p95_ms (2 s), no failed requests."""
    within_budget("homepage")


def test_P6_2_admin_dashboard_p95_within_budget(within_budget):
    """The logged-in admin: admin dashboard p95 under admin_dashboard_p95_ms (3 s)."""
    within_budget("admin_dashboard")


def test_P6_3_portal_dashboard_p95_within_budget(within_budget):
    """Tenant users: portal dashboard p95 under portal_dashboard_p95_ms (3 s)."""
    within_budget("portal_dashboard")


def test_P6_4_api_endpoints_p95_within_budget(within_budget):
    """Every portal API endpoint, lists and details, p95 under api_p95_ms (500 ms)."""
    within_budget("api")
