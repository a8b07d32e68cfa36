"""P4.1: the call history — list, pagination, transcripts, search, filters, own tenant only —
read in a real browser and judged against the database."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page

from staging_gate import expect
from staging_gate.probes import portal
from staging_gate.probes import portal_pages as pages
from staging_gate.probes.portal import Listing
from staging_gate.profile import Profile

ROWS = "table#calls-table tbody tr[data-call-id]"
FILTER_FORM = "form#calls-filter"
TRANSCRIPT_LINES = "section#transcript li.transcript-line"


def open_calls(page: Page, profile: Profile, shot: str = "calls list") -> Listing:
    pages.visit(page, profile.routes.calls)
    pages.snapshot(page, shot)
    return pages.read_listing(page, ROWS, "data-call-id")


def filtered(page: Page, fields: dict[str, str], shot: str) -> Listing:
    pages.submit_filter(page, FILTER_FORM, fields)
    pages.snapshot(page, shot)
    return pages.read_listing(page, ROWS, "data-call-id")


def test_P4_1_calls_list_loads(portal_page, profile, query, company, tenant):
    """The list shows calls with pagination, and its total is the company's call count."""
    listing = open_calls(portal_page, profile)
    expected = portal.call_count(query, company)
    problems = [] if listing.ids else [f"no call rows ({ROWS})"]
    problems += [p for p in [portal.total_problem(listing, expected, "calls")] if p]
    expect.no_problems(problems, f"{profile.routes.calls} as {tenant.key}")


def test_P4_1_calls_pagination(portal_page, profile, tenant):
    """Page 2 (through the next link) shows other calls than page 1."""
    first = open_calls(portal_page, profile)
    if first.pagination is not None and first.pagination.has_next:
        portal_page.locator("nav.pagination a[rel=next]").first.click()
        portal_page.wait_for_load_state()
    second = pages.read_listing(portal_page, ROWS, "data-call-id")
    pages.snapshot(portal_page, "calls page 2")
    expect.no_problems(portal.pagination_problems(first, second, "calls list"),
                       f"{profile.routes.calls} as {tenant.key}")


def test_P4_1_call_transcript_matches_database(portal_page, profile, query, company):
    """A call's detail page shows its transcript: the database's events, line by line."""
    listing = open_calls(portal_page, profile)
    call = expect.present(
        portal.first_with_transcript(query, company, listing.ids),
        f"none of the {len(listing.ids)} calls on {profile.routes.calls} has a transcript "
        "in retell_call_events to compare",
    )
    portal_page.locator(f"{ROWS}[data-call-id='{call}'] a").first.click()
    portal_page.wait_for_load_state()
    pages.snapshot(portal_page, f"call {call} detail")
    shown = pages.texts(portal_page, TRANSCRIPT_LINES)
    expect.no_problems(
        portal.transcript_problems(shown, portal.transcript(query, company, call), call),
        f"call detail {portal_page.url}",
    )


def test_P4_1_calls_search(portal_page, profile, tenant):
    """A caller number from a real row finds that row (and narrows); nonsense finds nothing."""
    listing = open_calls(portal_page, profile)
    expect.that(bool(listing.ids), f"{profile.routes.calls} shows no calls to search for")
    row, term = listing.ids[0], portal.normalize(listing.cells[0].get("caller_number", ""))
    unfiltered = listing.pagination.total if listing.pagination else None
    found = filtered(portal_page, {"search": term}, f"search {term!r}")
    nothing = filtered(portal_page, {"search": portal.NONSENSE_TERM}, "search nonsense")
    expect.no_problems(
        portal.search_problems(row, term, found, unfiltered, nothing),
        f"calls search as {tenant.key}",
    )


@pytest.mark.parametrize("kind", ["status", "date"])
def test_P4_1_calls_filters_narrow(kind, portal_page, profile, query, company, today):
    """A status or date filter shows exactly the company's matching calls (database count)."""
    open_calls(portal_page, profile)
    if kind == "status":
        status = expect.present(portal.rarest_status(query, "retell_call_sessions", company),
                                "the company has no calls to filter")
        listing = filtered(portal_page, {"status": status}, f"calls status={status}")
        expected = portal.call_count(query, company, status=status)
        problems = portal.column_mismatches(listing, "status", [status])
    else:
        start, end = today - timedelta(days=6), today - timedelta(days=3)
        fields = {"from": start.isoformat(), "to": end.isoformat()}
        listing = filtered(portal_page, fields, f"calls {start}..{end}")
        expected = portal.call_count(query, company, start=start, end=end)
        problems = portal.dates_outside(listing, "created_at", start, end)
    total = portal.total_problem(listing, expected, f"calls filtered by {kind}")
    expect.no_problems([p for p in [total] if p] + problems, f"{portal_page.url}")


def test_P4_1_calls_own_tenant_only(portal_page, profile, query, company, tenant):
    """Every call on the first two pages belongs to the tenant's company in the database."""
    shown = list(open_calls(portal_page, profile).ids)
    portal_page.goto(f"{profile.routes.calls}?page=2")
    shown += pages.read_listing(portal_page, ROWS, "data-call-id").ids
    owned = portal.owned_ids(query, "retell_call_sessions", company, shown)
    foreign = portal.foreign_ids(shown, owned)
    expect.that(bool(shown), f"{profile.routes.calls} shows no calls to judge")
    expect.that(
        not foreign,
        f"{profile.routes.calls} as {tenant.key} (company {company}) shows {len(foreign)} "
        f"calls of other companies: ids {', '.join(map(str, foreign[:10]))}",
    )
