"""P4.2: appointments — upcoming list, calendar month, date and status filters, own tenant
only — read in a real browser and judged against the database."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page

from staging_gate import expect
from staging_gate.probes import portal
from staging_gate.probes import portal_pages as pages
from staging_gate.probes.portal import Listing
from staging_gate.profile import Profile

ROWS = "table#appointments-table tbody tr[data-appointment-id]"
FILTER_FORM = "form#appointments-filter"
CALENDAR = "#calendar"
CALENDAR_DAYS = f"{CALENDAR} .calendar-day[data-date]"
CALENDAR_EVENTS = f"{CALENDAR} a.calendar-event[data-appointment-id]"
FAR_FUTURE = date(9999, 12, 31)


def open_list(page: Page, profile: Profile, shot: str = "appointments (upcoming)") -> Listing:
    pages.visit(page, profile.routes.appointments)
    pages.snapshot(page, shot)
    return pages.read_listing(page, ROWS, "data-appointment-id")


def test_P4_2_upcoming_appointments_shown(portal_page, profile, query, company, today):
    """The default list shows the company's upcoming appointments: none past, all counted."""
    listing = open_list(portal_page, profile)
    expected = portal.appointment_count(query, company, start=today)
    problems = [] if listing.ids else [f"no upcoming appointments listed ({ROWS})"]
    problems += [p for p in [portal.total_problem(listing, expected, "upcoming")] if p]
    problems += portal.dates_outside(listing, "starts_at", today, FAR_FUTURE)
    expect.no_problems(problems, f"{profile.routes.appointments} (upcoming)")


def test_P4_2_calendar_renders_month(portal_page, profile, query, company, today):
    """The calendar view renders this month as a grid of days with the month's appointments."""
    pages.visit(portal_page, f"{profile.routes.appointments}?view=calendar")
    pages.snapshot(portal_page, "appointments calendar")
    first = today.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    days = pages.attributes(portal_page, CALENDAR_DAYS, "data-date")
    events = pages.attributes(portal_page, CALENDAR_EVENTS, "data-appointment-id")
    expected = portal.appointment_count(query, company, start=first, end=last)
    in_month = [d for d in days if d.startswith(first.strftime("%Y-%m"))]
    problems = portal.calendar_problems(len(in_month), last.day, len(events), expected)
    owned = portal.owned_ids(query, "appointments", company, [int(e) for e in events])
    foreign = portal.foreign_ids([int(e) for e in events], owned)
    if foreign:
        problems.append(f"shows appointments of other companies: ids {foreign[:10]}")
    expect.no_problems(problems, f"calendar {first:%Y-%m} on {profile.routes.appointments}")


@pytest.mark.parametrize("kind", ["status", "date"])
def test_P4_2_appointments_filters_narrow(kind, portal_page, profile, query, company, today):
    """A status or date filter shows exactly the company's matching appointments."""
    open_list(portal_page, profile)
    if kind == "status":
        status = expect.present(
            portal.rarest_status(query, "appointments", company, "starts_at", since=today),
            "the company has no upcoming appointments to filter",
        )
        pages.submit_filter(portal_page, FILTER_FORM, {"status": status})
        expected = portal.appointment_count(query, company, status=status, start=today)
    else:
        start, end = today + timedelta(days=1), today + timedelta(days=7)
        pages.submit_filter(portal_page, FILTER_FORM,
                            {"from": start.isoformat(), "to": end.isoformat()})
        expected = portal.appointment_count(query, company, start=start, end=end)
    pages.snapshot(portal_page, f"appointments filtered by {kind}")
    listing = pages.read_listing(portal_page, ROWS, "data-appointment-id")
    if kind == "status":
        problems = portal.column_mismatches(listing, "status", [status])
    else:
        problems = portal.dates_outside(listing, "starts_at", start, end)
    total = portal.total_problem(listing, expected, f"appointments filtered by {kind}")
    expect.no_problems([p for p in [total] if p] + problems, portal_page.url)


def test_P4_2_appointments_own_tenant_only(portal_page, profile, query, company, tenant):
    """Every appointment listed belongs to the tenant's company in the database."""
    shown = list(open_list(portal_page, profile).ids)
    pages.visit(portal_page, f"{profile.routes.appointments}?page=2")
    shown += pages.read_listing(portal_page, ROWS, "data-appointment-id").ids
    expect.that(bool(shown), f"{profile.routes.appointments} shows no appointments to judge")
    foreign = portal.foreign_ids(shown, portal.owned_ids(query, "appointments", company, shown))
    expect.that(
        not foreign,
        f"{profile.routes.appointments} as {tenant.key} (company {company}) shows "
        f"{len(foreign)} appointments of other companies: ids {', '.join(map(str, foreign[:10]))}",
    )
