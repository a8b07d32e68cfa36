"""The `[portal]` contract reader in real Chromium on static pages (set_content or a routed
fake origin — nothing leaves the machine): missing selectors name the profile key, totals
read in German and English, UUID ids, Livewire-style in-place updates waited for, and the
filament preset on markup shaped like Filament 3's Blade output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

from fixtures.browser import CHROMIUM_ARGS, chromium_path
from staging_gate.errors import CouldNotVerify
from staging_gate.portal_contract import ListCells, ListPage, PortalSection
from staging_gate.probes import portal_pages as pages

UUIDS = [
    "9b2f4c1e-3a5d-4e6f-8a7b-1c2d3e4f5a6b",
    "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
    "5d6c7b8a-9e0f-4a1b-9c2d-3e4f5a6b7c8d",
    "e1d2c3b4-a596-4877-8695-a4b3c2d1e0f9",
    "77aa88bb-99cc-4ddd-8eee-ffff00001111",
]
ORIGIN = "http://portal.test"


@pytest.fixture(scope="module")
def static_browser() -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium on this machine")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def html_page(static_browser: Browser) -> Iterator[Page]:
    context = static_browser.new_context()
    context.route("**/*", lambda route: route.abort())  # offline unless a test routes
    opened = context.new_page()
    opened.set_default_timeout(5_000)
    yield opened
    context.close()


# --- Filament 3 markup, after tables/resources/views/index.blade.php and its components -----
def fi_row(key: str, status: str, day: str, phone: str) -> str:
    """components/row.blade.php + cell.blade.php + columns/column.blade.php (record URL)."""
    def cell(column: str, kebab: str, text: str) -> str:
        return (
            f'<td class="fi-ta-cell p-0 first-of-type:ps-1 fi-table-cell-{kebab}" '
            f'wire:key="Xq1.table.record.{key}.column.{column}">'
            f'<div class="fi-ta-col-wrp"><a href="/portal/call-histories/{key}" '
            f'class="flex w-full justify-start text-start"><div class="fi-ta-text">'
            f'<span class="fi-ta-text-item-label">{text}</span></div></a></div></td>'
        )
    return (
        f'<tr class="fi-ta-row [@media(hover:hover)]:transition" '
        f'wire:key="Xq1.table.records.{key}">'
        + cell("call_status", "call-status", status)
        + cell("started_at", "started-at", day)
        + cell("phone_number", "phone-number", phone)
        + "</tr>"
    )


def fi_pagination(first: int, last: int, total: int, page: int, more: bool) -> str:
    """support/resources/views/components/pagination/index.blade.php + item.blade.php (de)."""
    prev = ('<button class="fi-btn fi-pagination-previous-btn" rel="prev" type="button" '
            "wire:click=\"previousPage('page')\">Vorherige</button>" if page > 1 else "")
    nxt = ('<button class="fi-btn fi-pagination-next-btn" rel="next" type="button" '
           "wire:click=\"nextPage('page')\">Nächste</button>" if more else "")
    return (
        '<nav aria-label="Seitennavigation" role="navigation" '
        'class="fi-pagination fi-ta-pagination grid grid-cols-[1fr_auto_1fr]">'
        f"{prev}<span class=\"fi-pagination-overview text-sm\">Zeige {first} bis {last} von "
        f"{total} Ergebnissen</span>{nxt}"
        '<ol class="fi-pagination-items">'
        f'<li class="fi-pagination-item fi-active"><button type="button" '
        f'class="fi-pagination-item-button"><span class="fi-pagination-item-label">{page}'
        "</span></button></li></ol></nav>"
    )


def fi_table(rows: str, pagination: str, empty: bool = False) -> str:
    """index.blade.php: header toolbar with the search field, the table, the pagination."""
    body = (
        '<div class="fi-ta-empty-state px-6 py-12"><div class="fi-ta-empty-state-content">'
        '<h4 class="fi-ta-empty-state-heading">Keine Anrufe</h4></div></div>'
        if empty else
        '<table class="fi-ta-table w-full table-auto"><thead><tr><th>Status</th><th>Datum</th>'
        f'<th>Telefon</th></tr></thead><tbody class="divide-y">{rows}</tbody></table>'
    )
    return (
        '<div class="fi-ta"><div class="fi-ta-ctn"><div class="fi-ta-header-ctn">'
        '<div class="fi-ta-header-toolbar"><div x-id="[\'input\']" class="fi-ta-search-field">'
        '<label class="sr-only">Suche</label><div class="fi-input-wrp"><input '
        'autocomplete="off" placeholder="Suche" type="search" class="fi-input" '
        'wire:key="Xq1.table.tableSearch.field.input" '
        'wire:model.live.debounce.500ms="tableSearch"></div></div></div></div>'
        f'<div class="fi-ta-content relative">{body}</div>{pagination}</div></div>'
    )


CALLS = [(UUIDS[i], s, d, p) for i, (s, d, p) in enumerate([
    ("Abgeschlossen", "27.11.2026 14:30", "+49 30 55501001"),
    ("Fehlgeschlagen", "26.11.2026 09:10", "+49 30 55501002"),
    ("Abgeschlossen", "25.11.2026 11:00", "+49 30 55501003"),
    ("Abgeschlossen", "24.11.2026 16:45", "+49 30 55501004"),
    ("Fehlgeschlagen", "23.11.2026 08:05", "+49 30 55501005"),
])]

# A Livewire stand-in: typing into the search field (debounced) and clicking "next" replace
# the rows in place after a delay; the URL never changes.
LIVEWIRE = """<script>
const calls = %s;
const render = (list, page, perPage) => {
  const shown = list.slice((page - 1) * perPage, page * perPage);
  document.querySelector('.fi-ta-content').innerHTML = shown.length ?
    '<table class="fi-ta-table"><tbody>' + shown.map(c => c.html).join('') + '</tbody></table>' :
    '<div class="fi-ta-empty-state"><h4>Keine Anrufe</h4></div>';
  const nav = document.querySelector('.fi-ta-pagination');
  if (!shown.length && nav) nav.remove();  // index.blade.php: no pagination for 0 records
  const overview = document.querySelector('.fi-pagination-overview');
  const first = (page - 1) * perPage + 1, last = first + shown.length - 1;
  if (overview) overview.textContent = `Zeige ${first} bis ${last} von ${list.length} Ergebnissen`;
  const label = document.querySelector('.fi-pagination-item.fi-active .fi-pagination-item-label');
  if (label) label.textContent = String(page);
};
let timer = null;
document.querySelector('.fi-ta-search-field input').addEventListener('input', e => {
  clearTimeout(timer);
  timer = setTimeout(() => render(calls.filter(c => c.text.includes(e.target.value)), 1, 3), 400);
});
document.querySelector('.fi-pagination-next-btn').addEventListener('click', () =>
  setTimeout(() => render(calls, 2, 3), 300));
</script>"""


def filament_page(page: Page, rows: list[tuple[str, str, str, str]] = CALLS) -> None:
    shown = "".join(fi_row(*row) for row in rows[:3])
    data = json.dumps([{"html": fi_row(*row), "text": " ".join(row)} for row in rows])
    page.set_content(
        "<main>" + fi_table(shown, fi_pagination(1, 3, len(rows), 1, True)) + "</main>"
        + LIVEWIRE % data
    )


def filament_calls() -> ListPage:
    """What a Filament team writes on top of the preset: the URL and its column cells."""
    return PortalSection.model_validate({
        "preset": "filament",
        "calls": {"url": "/portal/call-histories", "cells": {
            "status": "td.fi-table-cell-call-status", "date": "td.fi-table-cell-started-at",
            "search": "td.fi-table-cell-phone-number"}},
    }).calls


def test_filament_preset_reads_uuid_rows_cells_and_german_total(html_page):
    filament_page(html_page)
    listing = pages.read_listing(html_page, filament_calls(), "calls")
    assert listing.ids == tuple(UUIDS[:3])
    assert listing.total == 5
    assert listing.cells[1] == {"status": "Fehlgeschlagen", "date": "26.11.2026 09:10",
                                "search": "+49 30 55501002"}
    assert listing.pagination is not None and listing.pagination.page == 1
    assert listing.pagination.has_next and not listing.pagination.has_prev


def test_livewire_search_waits_for_rows_to_change_in_place(html_page):
    filament_page(html_page)
    before = html_page.url
    found = pages.apply_values(html_page, filament_calls(), "calls", {"search": "55501004"},
                               "/portal/call-histories")
    assert html_page.url == before  # in place: no navigation happened
    assert found.ids == (UUIDS[3],)
    assert found.total == 1


def test_livewire_search_for_nonsense_shows_the_empty_state(html_page):
    filament_page(html_page)
    nothing = pages.apply_values(html_page, filament_calls(), "calls", {"search": "zq9xj"},
                                 "/portal/call-histories")
    assert nothing.ids == () and nothing.empty


def test_livewire_next_page_is_waited_for(html_page):
    filament_page(html_page)
    first = pages.read_listing(html_page, filament_calls(), "calls")
    second = pages.go_next(html_page, filament_calls(), "calls")
    assert second.ids == tuple(UUIDS[3:5]) and second.ids != first.ids
    assert second.pagination is not None and second.pagination.page == 2


def test_empty_state_is_an_application_result_not_unverifiable(html_page):
    html_page.set_content(fi_table("", "", empty=True))
    listing = pages.read_listing(html_page, filament_calls(), "calls")
    assert (listing.ids, listing.empty, listing.total) == ((), True, 0)


def test_row_selector_matching_nothing_names_the_profile_key(html_page):
    html_page.set_content('<table id="calls"><tbody><tr data-id="1"><td>x</td></tr></tbody>'
                          "</table>")
    with pytest.raises(CouldNotVerify) as caught:
        pages.read_listing(html_page, filament_calls(), "calls")
    assert str(caught.value).startswith("[portal.calls].row_selector matched nothing on ")
    assert "[portal.calls].empty_selector" in caught.value.fix


def test_rows_without_ids_name_id_attribute(html_page):
    contract = ListPage(row_selector="tbody tr", id_attribute="data-call-id")
    html_page.set_content('<table><tbody><tr data-id="1"><td>x</td></tr></tbody></table>')
    with pytest.raises(CouldNotVerify, match=r"\[portal.calls\].id_attribute 'data-call-id'"):
        pages.read_listing(html_page, contract, "calls")


def test_declared_cell_missing_names_the_cell_key(html_page):
    contract = ListPage(row_selector="tbody tr", id_attribute="data-id",
                        cells=ListCells(status="td.status"))
    html_page.set_content('<table><tbody><tr data-id="1"><td class="state">x</td></tr></tbody>'
                          "</table>")
    with pytest.raises(CouldNotVerify, match=r"\[portal.calls\].cells.status 'td.status'"):
        pages.read_listing(html_page, contract, "calls")


@pytest.mark.parametrize(
    ("text", "total"),
    [("Showing 1 to 25 of 70 results", 70), ("Zeige 1 bis 25 von 70 Ergebnissen", 70),
     ("Showing 1 result", 1), ("Zeige 1 bis 25 von 1.070 Ergebnissen", 1070)],
)
def test_total_line_in_english_and_german(html_page, text, total):
    html_page.set_content(fi_table(fi_row(UUIDS[0], "ok", "27.11.2026", "1"),
                              f'<nav class="fi-ta-pagination"><span '
                              f'class="fi-pagination-overview">{text}</span></nav>'))
    assert pages.read_listing(html_page, filament_calls(), "calls").total == total


def test_unreadable_total_names_total_patterns(html_page):
    html_page.set_content(fi_table(fi_row(UUIDS[0], "ok", "27.11.2026", "1"),
                              '<nav class="fi-ta-pagination"><span '
                              'class="fi-pagination-overview">Page 1 of 3</span></nav>'))
    with pytest.raises(CouldNotVerify, match=r"fix: correct \[portal.calls\].total_patterns"):
        pages.read_listing(html_page, filament_calls(), "calls")


def test_filament_stats_found_by_label(html_page):
    """widgets/resources/views/stats-overview-widget/stat.blade.php, German labels."""
    def stat(label: str, value: str) -> str:
        return (f'<div class="fi-wi-stats-overview-stat relative rounded-xl"><div class="grid">'
                f'<div class="flex"><span class="fi-wi-stats-overview-stat-label">{label}</span>'
                f'</div><div class="fi-wi-stats-overview-stat-value">{value}</div>'
                '<div class="flex"><span class="fi-wi-stats-overview-stat-description">'
                'Gestern: 3</span></div></div></div>')
    html_page.set_content('<div class="fi-wi-stats-overview"><div class="fi-wi-stats-overview-'
                     'stats-ctn">' + stat("Aktive Termine", "1.204") + stat("Anrufe (24h)", "7")
                     + "</div></div>")
    dashboard = PortalSection.model_validate({"preset": "filament", "dashboard": {"stats": [
        {"name": "calls_24h", "label": "Anrufe (24h)", "sql": "SELECT 1"},
        {"name": "appointments_week", "label": "Aktive Termine", "sql": "SELECT 1"},
    ]}}).dashboard
    shown = pages.stat_values(html_page, dashboard)
    assert {k: v.strip() for k, v in shown.items()} == {"calls_24h": "7",
                                                        "appointments_week": "1.204"}
    missing = dashboard.model_copy(update={"stats": (dashboard.stats[0].model_copy(
        update={"label": "Anrufe heute"}),)})
    with pytest.raises(CouldNotVerify, match=r"stat card calls_24h: .*label 'Anrufe heute'"):
        pages.stat_values(html_page, missing)


def serve_list(route: Route) -> None:
    """A server-rendered list: ?tableFilters[status][value]=X keeps rows with that status."""
    query = parse_qs(urlsplit(route.request.url).query)
    wanted = query.get("tableFilters[status][value]", [""])[0]
    rows = [row for row in CALLS if not wanted or row[1] == wanted]
    html = fi_table("".join(fi_row(*row) for row in rows),
                    fi_pagination(1, len(rows), len(rows), 1, False))
    route.fulfill(status=200, content_type="text/html", body=html)


def test_url_filter_loads_the_list_with_the_parameter(html_page):
    html_page.context.route(f"{ORIGIN}/**", serve_list)
    pages.visit(html_page, f"{ORIGIN}/portal/call-histories")
    filtered = pages.apply_values(html_page, filament_calls(), "calls",
                                  {"status": "Fehlgeschlagen"},
                                  f"{ORIGIN}/portal/call-histories")
    assert "tableFilters[status][value]=Fehlgeschlagen" in html_page.url
    assert filtered.ids == (UUIDS[1], UUIDS[4]) and filtered.total == 2


def test_filter_without_a_declared_way_in_cannot_verify(html_page):
    filament_page(html_page)
    with pytest.raises(CouldNotVerify, match=r"\[portal.calls\].filters.from is not set"):
        pages.apply_values(html_page, filament_calls(), "calls", {"from": "2026-11-01"}, "/x")


def test_reference_preset_reads_its_own_markup(html_page):
    contract = PortalSection.model_validate({"preset": "reference"}).calls
    html_page.set_content(
        '<table id="calls-table"><tbody>'
        '<tr data-call-id="12"><td data-col="created_at">2026-11-27 10:00</td>'
        '<td data-col="caller_number">+49 30 55501001</td><td data-col="status">'
        '<span class="badge">missed</span></td></tr></tbody></table>'
        '<nav class="pagination" data-page="1" data-last-page="3" data-total="70">'
        '<a rel="next" href="?page=2">Weiter</a></nav>'
    )
    listing = pages.read_listing(html_page, contract, "calls")
    assert (listing.ids, listing.total) == (("12",), 70)
    assert listing.cells[0]["status"] == "missed"


def test_activity_kind_and_id_from_one_wire_key(html_page):
    """A dashboard TableWidget whose record key holds kind and id ("call-<uuid>")."""
    html_page.set_content(
        '<div class="fi-wi-table"><table class="fi-ta-table"><tbody>'
        f'<tr class="fi-ta-row" wire:key="recent.table.records.call-{UUIDS[0]}"><td>x</td></tr>'
        '<tr class="fi-ta-row" wire:key="recent.table.records.appointment-17"><td>y</td></tr>'
        "</tbody></table></div>"
    )
    activity = PortalSection.model_validate({"preset": "filament", "activity": {
        "kind_attribute": "wire:key", "kind_pattern": r"\.table\.records\.([a-z]+)-",
        "id_pattern": r"\.table\.records\.[a-z]+-(.+)$"}}).activity
    assert pages.activity(html_page, activity) == [("call", UUIDS[0]), ("appointment", "17")]
