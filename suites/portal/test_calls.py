"""P4.1: the call history — list, pagination, transcripts, search, filters, own tenant only —
read in a real browser through the profile's `[portal.calls]` and judged against its SQL."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page

from staging_gate import expect
from staging_gate.probes import portal
from staging_gate.probes import portal_pages as pages
from staging_gate.probes.portal import Listing
from staging_gate.profile import Profile

SECTION = "calls"
SQL = "[portal.calls.sql]"


def calls_url(profile: Profile) -> str:
    return profile.portal.calls.url or profile.routes.calls


def open_calls(page: Page, profile: Profile, shot: str = "calls list") -> Listing:
    pages.visit(page, calls_url(profile))
    pages.snapshot(page, shot)
    return pages.read_listing(page, profile.portal.calls, SECTION)


def filtered(page: Page, profile: Profile, values: dict[str, str], shot: str) -> Listing:
    listing = pages.apply_values(page, profile.portal.calls, SECTION, values, calls_url(profile))
    pages.snapshot(page, shot)
    return listing


def call_count(oracle: portal.Oracle, profile: Profile, **params: object) -> int:
    return oracle.count(f"{SQL}.count", profile.portal.calls.sql.count, **params)


def total(page: Page, profile: Profile, listing: Listing) -> Listing:
    pages.need_total(listing, profile.portal.calls, SECTION, pages.path_of(page))
    return listing


def test_P4_1_calls_list_loads(portal_page, profile, oracle, tenant):
    """The list shows calls with pagination, and its total is the company's call count."""
    listing = total(portal_page, profile, open_calls(portal_page, profile))
    expected = call_count(oracle, profile)
    problems = [] if listing.ids else ["no call rows shown"]
    problems += [p for p in [portal.total_problem(listing, expected, "calls")] if p]
    expect.no_problems(problems, f"{calls_url(profile)} as {tenant.key}")


def test_P4_1_calls_pagination(portal_page, profile, tenant):
    """Page 2 (through the next control) shows other calls than page 1."""
    first = open_calls(portal_page, profile)
    second = first
    if first.pagination is not None and first.pagination.has_next:
        second = pages.go_next(portal_page, profile.portal.calls, SECTION)
    pages.snapshot(portal_page, "calls page 2")
    expect.no_problems(portal.pagination_problems(first, second, "calls list"),
                       f"{calls_url(profile)} as {tenant.key}")


def test_P4_1_call_transcript_matches_database(portal_page, profile, oracle):
    """A call's detail page shows its transcript: the database's lines, in order."""
    contract = profile.portal.calls
    listing = open_calls(portal_page, profile)
    having = set(oracle.owned(f"{SQL}.with_transcript", contract.sql.with_transcript,
                              listing.ids))
    call = expect.present(
        next((record_id for record_id in listing.ids if record_id in having), None),
        f"none of the {len(listing.ids)} calls on {calls_url(profile)} has a transcript in the "
        f"database ({SQL}.with_transcript) to compare",
    )
    pages.open_detail(portal_page, contract, SECTION, listing, call)
    shown = pages.transcript(portal_page, contract, SECTION)
    pages.snapshot(portal_page, f"call {call} detail")
    expected = oracle.column(f"{SQL}.transcript", contract.sql.transcript, id=call)
    expect.no_problems(portal.transcript_problems(shown, expected, call),
                       f"call detail {pages.path_of(portal_page)}")


def test_P4_1_calls_search(portal_page, profile, tenant):
    """A term from a real row finds that row (and narrows); nonsense finds nothing."""
    pages.require_cell(profile.portal.calls, SECTION, "search")
    listing = open_calls(portal_page, profile)
    expect.that(bool(listing.ids), f"{calls_url(profile)} shows no calls to search for")
    row, term = listing.ids[0], portal.normalize(listing.cells[0].get("search", ""))
    found = filtered(portal_page, profile, {"search": term}, f"search {term!r}")
    nothing = filtered(portal_page, profile, {"search": portal.NONSENSE_TERM}, "search nonsense")
    expect.no_problems(
        portal.search_problems(row, term, found, listing.total, nothing),
        f"calls search as {tenant.key}",
    )


@pytest.mark.parametrize("kind", ["status", "date"])
def test_P4_1_calls_filters_narrow(kind, portal_page, profile, oracle):
    """A status or date filter shows exactly the company's matching calls (database count)."""
    contract = profile.portal.calls
    pages.require_cell(contract, SECTION, kind)
    open_calls(portal_page, profile)
    if kind == "status":
        status = str(expect.present(
            oracle.value(f"{SQL}.rarest_status", contract.sql.rarest_status),
            "the company has no calls to filter",
        ))
        listing = filtered(portal_page, profile, {"status": status}, f"calls status={status}")
        expected = call_count(oracle, profile, status=status)
        problems = portal.status_mismatches(listing, [contract.status_labels.get(status, status)])
    else:
        start, end = oracle.today - timedelta(days=6), oracle.today - timedelta(days=3)
        fields = {"from": start.isoformat(), "to": end.isoformat()}
        listing = filtered(portal_page, profile, fields, f"calls {start}..{end}")
        expected = call_count(oracle, profile, **portal.range_params(start, end))
        problems = portal.dates_outside(listing, start, end)
    total(portal_page, profile, listing)
    mismatch = portal.total_problem(listing, expected, f"calls filtered by {kind}")
    expect.no_problems([p for p in [mismatch] if p] + problems, pages.path_of(portal_page))


def test_P4_1_calls_own_tenant_only(portal_page, profile, oracle, tenant):
    """Every call on the first two pages belongs to the tenant's company in the database."""
    contract = profile.portal.calls
    shown = list(open_calls(portal_page, profile).ids)
    shown += pages.open_page(portal_page, contract, SECTION, calls_url(profile), 2).ids
    expect.that(bool(shown), f"{calls_url(profile)} shows no calls to judge")
    foreign = portal.foreign_ids(shown, oracle.owned(f"{SQL}.owned", contract.sql.owned, shown))
    expect.that(
        not foreign,
        f"{calls_url(profile)} as {tenant.key} (company {oracle.company}) shows {len(foreign)} "
        f"calls of other companies: ids {', '.join(foreign[:10])}",
    )
