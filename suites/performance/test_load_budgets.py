"""P6.1–P6.4: p95 latency under the profile's load stays within budget, and requests succeed.

One Locust run (see conftest) is judged per budget: homepage, admin dashboard, portal
dashboard, every portal API endpoint (list and detail). Exclusive: it generates load.
"""

from dataclasses import asdict

import pytest

from staging_gate import expect
from staging_gate.evidence import attach_json
from staging_gate.probes.performance import BUDGET_TITLES, BudgetKind, judge

pytestmark = pytest.mark.exclusive


def within_budget(load_run, kind: BudgetKind, profile) -> None:
    __tracebackhide__ = True
    rule = next(rule for rule in load_run.rules if rule.kind == kind)
    attach_json(f"{BUDGET_TITLES[kind]} under load",
                [asdict(s) for s in load_run.stats if rule.covers(s.name)])
    shape = profile.budgets.load
    expect.no_problems(
        judge(load_run.stats, rule, profile.budgets.max_failure_ratio),
        f"{BUDGET_TITLES[kind]} under load ({shape.users} users, {shape.duration_seconds} s)",
    )


def test_P6_1_homepage_p95_within_budget(load_run, profile):
    """Anonymous visitors: homepage p95 under homepage_p95_ms (2 s), no failed requests."""
    within_budget(load_run, "homepage", profile)


def test_P6_2_admin_dashboard_p95_within_budget(load_run, profile):
    """The logged-in admin: admin dashboard p95 under admin_dashboard_p95_ms (3 s)."""
    within_budget(load_run, "admin_dashboard", profile)


def test_P6_3_portal_dashboard_p95_within_budget(load_run, profile):
    """Tenant users: portal dashboard p95 under portal_dashboard_p95_ms (3 s)."""
    within_budget(load_run, "portal_dashboard", profile)


def test_P6_4_api_endpoints_p95_within_budget(load_run, profile):
    """Every portal API endpoint, lists and details, p95 under api_p95_ms (500 ms)."""
    within_budget(load_run, "api", profile)
