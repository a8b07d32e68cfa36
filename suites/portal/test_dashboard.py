"""P4.3: the dashboard — stat cards equal the database's counts, the chart renders, recent
activity shows the company's latest entries."""

from datetime import timedelta

from playwright.sync_api import Page

from staging_gate import expect
from staging_gate.probes import portal
from staging_gate.probes import portal_pages as pages
from staging_gate.profile import Profile

CHART = "#calls-chart"
CHART_DAYS = 14
ACTIVITY = "#recent-activity [data-activity]"


def open_dashboard(page: Page, profile: Profile) -> None:
    pages.visit(page, profile.routes.portal)
    pages.snapshot(page, "dashboard")


def test_P4_3_stat_cards_equal_database_counts(portal_page, profile, query, company):
    """Each `data-stat` card shows exactly the company's count in the database."""
    open_dashboard(portal_page, profile)
    expect.no_problems(
        portal.stat_problems(pages.stat_cards(portal_page), portal.dashboard_stats(query, company)),
        f"dashboard {profile.routes.portal}",
    )


def test_P4_3_chart_renders(portal_page, profile, query, company, today):
    """The calls chart is drawn (visible size, painted shapes) and its bars are the database's."""
    open_dashboard(portal_page, profile)
    start = today - timedelta(days=CHART_DAYS - 1)
    expect.no_problems(
        portal.chart_problems(pages.chart(portal_page, CHART),
                              portal.calls_per_day(query, company, start, today)),
        f"chart {CHART} on {profile.routes.portal}",
    )


def test_P4_3_recent_activity_shown(portal_page, profile, query, company):
    """Recent activity lists the company's own entries, its latest call among them."""
    open_dashboard(portal_page, profile)
    entries = pages.activity(portal_page, ACTIVITY)
    expect.no_problems(
        portal.activity_problems(entries, portal.owned_activity(query, company, entries),
                                 portal.latest_call(query, company)),
        f"recent activity on {profile.routes.portal}",
    )
