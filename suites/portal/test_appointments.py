"""P4.2: appointments — upcoming list, calendar month, date and status filters, own tenant
only — read in a real browser through `[portal.appointments]` / `[portal.calendar]` and
judged against the profile's SQL."""

from datetime import date, timedelta

import pytest

from staging_gate import expect
from staging_gate.probes import portal
from staging_gate.probes import portal_pages as pages
from staging_gate.profile import Profile

SECTION = "appointments"
SQL = "[portal.appointments.sql]"
FAR_FUTURE = date(9999, 12, 31)


@pytest.fixture
def list_url(profile: Profile) -> str:
    """The appointment list's path: `[portal.appointments].url`, else `routes.appointments`."""
    return profile.portal.appointments.url or profile.routes.appointments


def test_P4_2_upcoming_appointments_shown(portal_page, profile, oracle, list_url):
    """The default list shows the company's upcoming appointments: none past, all counted."""
    contract = profile.portal.appointments
    pages.require_cell(contract, SECTION, "date")
    listing = pages.open_listing(portal_page, list_url, contract, SECTION,
                                 "appointments (upcoming)")
    pages.need_total(listing, contract, SECTION, list_url)
    expected = oracle.count(f"{SQL}.count", contract.sql.count,
                            **portal.range_params(oracle.today, None))
    problems = [] if listing.ids else ["no upcoming appointments listed"]
    problems += [p for p in [portal.total_problem(listing, expected, "upcoming")] if p]
    problems += portal.dates_outside(listing, oracle.today, FAR_FUTURE)
    expect.no_problems(problems, f"{list_url} (upcoming)")


def test_P4_2_calendar_renders_month(portal_page, profile, oracle):
    """The calendar view renders this month as a grid of days with the month's appointments."""
    first, last = portal.month_of(oracle.today)
    days, events = pages.read_calendar(portal_page, profile.portal.calendar, first)
    pages.snapshot(portal_page, "appointments calendar")
    expected = oracle.count(f"{SQL}.count", profile.portal.appointments.sql.count,
                            **portal.range_params(first, last))
    in_month = [d for d in days if d.startswith(first.strftime("%Y-%m"))]
    problems = portal.calendar_problems(len(in_month), last.day, len(events), expected)
    sql = profile.portal.appointments.sql.owned
    foreign = portal.foreign_ids(events, oracle.owned(f"{SQL}.owned", sql, events))
    if foreign:
        problems.append(f"shows appointments of other companies: ids {foreign[:10]}")
    expect.no_problems(problems, f"calendar {first:%Y-%m} on {pages.path_of(portal_page)}")


@pytest.mark.parametrize("kind", ["status", "date"])
def test_P4_2_appointments_filters_narrow(kind, portal_page, profile, oracle, list_url):
    """A status or date filter shows exactly the company's matching appointments."""
    contract = profile.portal.appointments
    pages.require_cell(contract, SECTION, kind)
    pages.open_listing(portal_page, list_url, contract, SECTION, "appointments (upcoming)")
    if kind == "status":
        status = str(expect.present(
            oracle.value(f"{SQL}.rarest_status", contract.sql.rarest_status,
                         **portal.range_params(oracle.today, None)),
            "the company has no upcoming appointments to filter",
        ))
        values = {"status": status}
        expected = oracle.count(f"{SQL}.count", contract.sql.count, status=status,
                                **portal.range_params(oracle.today, None))
    else:
        start, end = oracle.today + timedelta(days=1), oracle.today + timedelta(days=7)
        values = {"from": start.isoformat(), "to": end.isoformat()}
        expected = oracle.count(f"{SQL}.count", contract.sql.count,
                                **portal.range_params(start, end))
    listing = pages.apply_values(portal_page, contract, SECTION, values, list_url)
    pages.snapshot(portal_page, f"appointments filtered by {kind}")
    pages.need_total(listing, contract, SECTION, pages.path_of(portal_page))
    if kind == "status":
        problems = portal.status_mismatches(listing, [contract.status_labels.get(status, status)])
    else:
        problems = portal.dates_outside(listing, start, end)
    total = portal.total_problem(listing, expected, f"appointments filtered by {kind}")
    expect.no_problems([p for p in [total] if p] + problems, pages.path_of(portal_page))


def test_P4_2_appointments_own_tenant_only(portal_page, profile, oracle, tenant, list_url):
    """Every appointment listed belongs to the tenant's company in the database."""
    contract = profile.portal.appointments
    shown = list(pages.open_listing(portal_page, list_url, contract, SECTION,
                                    "appointments (upcoming)").ids)
    shown += pages.open_page(portal_page, contract, SECTION, list_url, 2).ids
    expect.that(bool(shown), f"{list_url} shows no appointments to judge")
    foreign = portal.foreign_ids(shown, oracle.owned(f"{SQL}.owned", contract.sql.owned, shown))
    expect.that(
        not foreign,
        f"{list_url} as {tenant.key} (company {oracle.company}) shows "
        f"{len(foreign)} appointments of other companies: ids {', '.join(foreign[:10])}",
    )
