"""P4.1: the call history — list, pagination, transcripts, search, filters, own tenant only —
read in a real browser through the profile's `[portal.calls]` and judged against its SQL."""

from datetime import timedelta

import pytest

from staging_gate import expect
from staging_gate.probes import portal
from staging_gate.probes import portal_pages as pages
from staging_gate.profile import Profile

SECTION = "calls"
SQL = "[portal.calls.sql]"


@pytest.fixture
def calls_url(profile: Profile) -> str:
    """The call list's path: `[portal.calls].url`, else `routes.calls`."""
    return profile.portal.calls.url or profile.routes.calls


def test_P4_1_calls_list_loads(portal_page, profile, oracle, tenant, calls_url):
    """The list shows calls with pagination, and its total is the company's call count."""
    contract = profile.portal.calls
    listing = pages.open_listing(portal_page, calls_url, contract, SECTION, "calls list")
    pages.need_total(listing, contract, SECTION, pages.path_of(portal_page))
    expected = oracle.count(f"{SQL}.count", contract.sql.count)
    problems = [] if listing.ids else ["no call rows shown"]
    problems += [p for p in [portal.total_problem(listing, expected, "calls")] if p]
    expect.no_problems(problems, f"{calls_url} as {tenant.key}")


def test_P4_1_calls_pagination(portal_page, profile, tenant, calls_url):
    """Page 2 (through the next control) shows other calls than page 1."""
    first = pages.open_listing(portal_page, calls_url, profile.portal.calls, SECTION,
                               "calls list")
    second = first
    if first.pagination is not None and first.pagination.has_next:
        second = pages.go_next(portal_page, profile.portal.calls, SECTION)
    pages.snapshot(portal_page, "calls page 2")
    expect.no_problems(portal.pagination_problems(first, second, "calls list"),
                       f"{calls_url} as {tenant.key}")


def test_P4_1_call_transcript_matches_database(portal_page, profile, oracle, calls_url):
    """A call's detail page shows its transcript: the database's lines, in order."""
    contract = profile.portal.calls
    listing = pages.open_listing(portal_page, calls_url, contract, SECTION, "calls list")
    having = set(oracle.owned(f"{SQL}.with_transcript", contract.sql.with_transcript,
                              listing.ids))
    call = expect.present(
        next((record_id for record_id in listing.ids if record_id in having), None),
        f"none of the {len(listing.ids)} calls on {calls_url} has a transcript in the "
        f"database ({SQL}.with_transcript) to compare",
    )
    pages.open_detail(portal_page, contract, SECTION, listing, call)
    shown = pages.transcript(portal_page, contract, SECTION)
    pages.snapshot(portal_page, f"call {call} detail")
    expected = oracle.column(f"{SQL}.transcript", contract.sql.transcript, id=call)
    expect.no_problems(portal.transcript_problems(shown, expected, call),
                       f"call detail {pages.path_of(portal_page)}")


def test_P4_1_calls_search(portal_page, profile, tenant, calls_url):
    """A term from a real row finds that row (and narrows); nonsense finds nothing."""
    contract = profile.portal.calls
    pages.require_cell(contract, SECTION, "search")
    listing = pages.open_listing(portal_page, calls_url, contract, SECTION, "calls list")
    expect.that(bool(listing.ids), f"{calls_url} shows no calls to search for")
    row, term = listing.ids[0], portal.normalize(listing.cells[0].get("search", ""))
    found = pages.filtered(portal_page, contract, SECTION, {"search": term}, calls_url,
                           f"search {term!r}")
    nothing = pages.filtered(portal_page, contract, SECTION, {"search": portal.NONSENSE_TERM},
                             calls_url, "search nonsense")
    expect.no_problems(
        portal.search_problems(row, term, found, listing.total, nothing),
        f"calls search as {tenant.key}",
    )


@pytest.mark.parametrize("kind", ["status", "date"])
def test_P4_1_calls_filters_narrow(kind, portal_page, profile, oracle, calls_url):
    """A status or date filter shows exactly the company's matching calls (database count)."""
    contract = profile.portal.calls
    pages.require_cell(contract, SECTION, kind)
    pages.open_listing(portal_page, calls_url, contract, SECTION, "calls list")
    if kind == "status":
        status = str(expect.present(
            oracle.value(f"{SQL}.rarest_status", contract.sql.rarest_status),
            "the company has no calls to filter",
        ))
        listing = pages.filtered(portal_page, contract, SECTION, {"status": status}, calls_url,
                                 f"calls status={status}")
        expected = oracle.count(f"{SQL}.count", contract.sql.count, status=status)
        problems = portal.status_mismatches(listing, [contract.status_labels.get(status, status)])
    else:
        start, end = oracle.today - timedelta(days=6), oracle.today - timedelta(days=3)
        fields = {"from": start.isoformat(), "to": end.isoformat()}
        listing = pages.filtered(portal_page, contract, SECTION, fields, calls_url,
                                 f"calls {start}..{end}")
        expected = oracle.count(f"{SQL}.count", contract.sql.count,
                                **portal.range_params(start, end))
        problems = portal.dates_outside(listing, start, end)
    pages.need_total(listing, contract, SECTION, pages.path_of(portal_page))
    mismatch = portal.total_problem(listing, expected, f"calls filtered by {kind}")
    expect.no_problems([p for p in [mismatch] if p] + problems, pages.path_of(portal_page))


def test_P4_1_calls_own_tenant_only(portal_page, profile, oracle, tenant, calls_url):
    """Every call on the first two pages belongs to the tenant's company in the database."""
    contract = profile.portal.calls
    shown = list(pages.open_listing(portal_page, calls_url, contract, SECTION, "calls list").ids)
    shown += pages.open_page(portal_page, contract, SECTION, calls_url, 2).ids
    expect.that(bool(shown), f"{calls_url} shows no calls to judge")
    foreign = portal.foreign_ids(shown, oracle.owned(f"{SQL}.owned", contract.sql.owned, shown))
    expect.that(
        not foreign,
        f"{calls_url} as {tenant.key} (company {oracle.company}) shows {len(foreign)} "
        f"calls of other companies: ids {', '.join(foreign[:10])}",
    )
