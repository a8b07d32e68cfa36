"""P4.3: the dashboard — stat cards equal the profile's SQL, the chart renders, recent
activity shows the company's latest entries (`[portal.dashboard]`, `.chart`, `.activity`)."""

from datetime import timedelta

import pytest

from staging_gate import expect
from staging_gate.errors import CouldNotVerify
from staging_gate.probes import portal
from staging_gate.probes import portal_pages as pages
from staging_gate.profile import Profile


@pytest.fixture
def dashboard_url(profile: Profile) -> str:
    """The dashboard's path: `[portal.dashboard].url`, else `routes.portal`."""
    return profile.portal.dashboard.url or profile.routes.portal


def test_P4_3_stat_cards_equal_database_counts(portal_page, profile, oracle, dashboard_url):
    """Each declared stat card shows exactly the company's number in the database."""
    pages.show(portal_page, dashboard_url, "dashboard")
    shown = pages.stat_values(portal_page, profile.portal.dashboard)
    expected = {
        stat.name: oracle.count(f"[portal.dashboard].stats {stat.name}.sql", stat.sql)
        for stat in profile.portal.dashboard.stats
    }
    expect.no_problems(portal.stat_problems(shown, expected),
                       f"dashboard {dashboard_url}")


def test_P4_3_chart_renders(portal_page, profile, oracle, dashboard_url):
    """The chart is drawn (visible size, painted shapes) and its bars are the database's."""
    contract = profile.portal.chart
    pages.show(portal_page, dashboard_url, "dashboard")
    drawn = pages.chart(portal_page, contract)
    start = oracle.today - timedelta(days=contract.days - 1)
    per_day = oracle.per_day("[portal.chart].per_day_sql", contract.per_day_sql, start,
                             oracle.today)
    expect.no_problems(portal.chart_problems(drawn, per_day),
                       f"chart {contract.selector} on {dashboard_url}")


def test_P4_3_recent_activity_shown(portal_page, profile, oracle, dashboard_url):
    """Recent activity lists the company's own entries, its latest entry among them."""
    contract = profile.portal.activity
    pages.show(portal_page, dashboard_url, "dashboard")
    entries = pages.activity(portal_page, contract)
    unknown = sorted({kind for kind, _ in entries} - set(contract.owned_sql))
    if unknown:
        raise CouldNotVerify(f"recent activity shows kind {unknown[0]!r} with no SQL to judge it",
                             f"add [portal.activity].owned_sql.{unknown[0]}")
    owned = {
        kind: set(oracle.owned(f"[portal.activity].owned_sql.{kind}", sql,
                               [record_id for k, record_id in entries if k == kind]))
        for kind, sql in contract.owned_sql.items()
    }
    latest = None
    if contract.latest_sql:
        newest = oracle.value("[portal.activity].latest_sql", contract.latest_sql)
        latest = None if newest is None else (contract.latest_kind, str(newest))
    expect.no_problems(portal.activity_problems(entries, owned, latest),
                       f"recent activity on {dashboard_url}")
