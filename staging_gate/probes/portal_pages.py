"""Reading the customer portal in a real browser through the profile's `[portal]` contract.

The contract is a page object written in data (`staging_gate.portal_contract`): these
helpers only ask it questions — which rows, which id, which total — and never name a
selector of their own besides generic HTML (a password field, a submit button).

Two kinds of "nothing found" are kept apart:
- the page shows its declared empty-state marker → an application result (zero rows);
- a declared selector matches nothing and no empty marker is shown → `CouldNotVerify`
  naming the profile key to fix (``[portal.calls].row_selector matched nothing on …``).

Lists that update in place (Livewire) are waited for, not slept on: after typing, selecting
or clicking, the rows' signature (ids, total, empty marker) is polled until it changes,
bounded by the list's ``settle_ms``.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

from staging_gate.errors import CouldNotVerify
from staging_gate.evidence import attach_png
from staging_gate.portal_contract import (
    ActivitySection,
    Apply,
    CalendarPage,
    ChartSection,
    DashboardPage,
    ListPage,
)
from staging_gate.probes.portal import Listing, Pagination, extract_id, parse_int, parse_total

PASSWORD_FIELD = "input[type=password]"
LOGIN_SETTLE_MS = 10_000
POLL_MS = 100
STABLE_MS = 300

_READ_ROWS = """([rows, idAttr, cells]) => Array.from(document.querySelectorAll(rows)).map(tr => ({
  id: tr.getAttribute(idAttr),
  cells: Object.fromEntries(Object.entries(cells).filter(([, sel]) => sel).map(([name, sel]) => {
    const cell = tr.querySelector(sel);
    return [name, cell === null ? null : cell.textContent];
  })),
}))"""

_SIGNATURE = """([rows, idAttr, total, empty]) => {
  const ids = Array.from(document.querySelectorAll(rows)).map(r => r.getAttribute(idAttr));
  const t = total ? document.querySelector(total) : null;
  const e = empty ? document.querySelectorAll(empty).length : 0;
  return JSON.stringify([ids, t === null ? null : t.textContent, e]);
}"""

_READ_CHART = """([sel, bars, dateAttr, countAttr]) => {
  const c = document.querySelector(sel); if (!c) return null;
  const box = c.getBoundingClientRect();
  const canvas = c.tagName.toLowerCase() === 'canvas';
  let drawn = 0;
  if (canvas) {
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    drawn = px.some((v, i) => i % 4 === 3 && v > 0) ? 1 : 0;
  } else {
    drawn = Array.from(c.querySelectorAll('rect, path, circle, polygon, polyline'))
      .filter(s => { const b = s.getBBox(); return b.width > 0 && b.height > 0; }).length;
  }
  const found = bars ? Array.from(c.querySelectorAll(bars))
    .map(b => [b.getAttribute(dateAttr), b.getAttribute(countAttr)]) : [];
  return {width: box.width, height: box.height, drawn, bars: found};
}"""


class PageProblem(Exception):
    """The page did not answer or render as a portal page should; the message says how."""


def key(section: str, name: str) -> str:
    """The profile key a message points at: ``[portal.calls].row_selector``."""
    return f"[portal.{section}].{name}"


def path_of(page: Page) -> str:
    parts = urlsplit(page.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- navigation and session -------------------------------------------------------------------
def visit(page: Page, path: str, *, login_form: bool = False) -> None:
    """Open `path`; a non-200 answer or (unless expected) a login form is a PageProblem."""
    response = page.goto(path)
    status = None if response is None else response.status
    if status != 200:
        raise PageProblem(f"GET {path} answered {status}, expected 200")
    if not login_form and page.locator(PASSWORD_FIELD).count():
        raise PageProblem(f"GET {path} ended on the login form ({page.url})")


def log_in(page: Page, login_path: str, email: str, password: str) -> None:
    """Log in through the real login form, as a customer would; the password field must be
    gone within LOGIN_SETTLE_MS (classic POST or Livewire form alike)."""
    visit(page, login_path, login_form=True)
    form = page.locator(f"form:has({PASSWORD_FIELD})")
    form.locator("input[name=email], input[type=email]").first.fill(email)
    form.locator(PASSWORD_FIELD).fill(password)
    form.locator("[type=submit]").first.click()
    try:
        page.locator(PASSWORD_FIELD).first.wait_for(state="detached", timeout=LOGIN_SETTLE_MS)
    except PlaywrightError:
        raise PageProblem(f"login through {login_path} as {email} stayed on the login "
                          "form") from None
    page.wait_for_load_state()


def log_out(page: Page, selector: str) -> None:
    """Click the profile's logout control if the current page has one."""
    if selector and page.locator(selector).count():
        page.locator(selector).first.click()
        page.wait_for_load_state()


def snapshot(page: Page, name: str) -> None:
    attach_png(name, page.screenshot(full_page=True))



def show(page: Page, path: str, shot: str) -> None:
    """Open `path` (`visit`: PageProblem unless it answers 200 without a login form) and
    attach a full-page screenshot named `shot`."""
    visit(page, path)
    snapshot(page, shot)


def open_listing(page: Page, path: str, contract: ListPage, section: str, shot: str) -> Listing:
    """Open the list at `path`, attach a screenshot named `shot`, read it (`read_listing`)."""
    show(page, path, shot)
    return read_listing(page, contract, section)


def filtered(page: Page, contract: ListPage, section: str, values: Mapping[str, str],
             list_url: str, shot: str) -> Listing:
    """`apply_values` (raises as there), then a screenshot named `shot`; the list read."""
    listing = apply_values(page, contract, section, values, list_url)
    snapshot(page, shot)
    return listing

def with_params(path: str, params: Mapping[str, str]) -> str:
    """`path` with `params` set (replacing same-named ones); brackets kept readable."""
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k not in params]
    query += list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query, safe="[]")))


# --- lists ------------------------------------------------------------------------------------
def signature(page: Page, contract: ListPage) -> str:
    """What changes when a list updates: row ids, the total's text, the empty marker (not the
    URL: a Livewire table may write the URL before its rows arrive)."""
    result: str = page.evaluate(_SIGNATURE, [contract.row_selector, contract.id_attribute,
                                             contract.total_selector, contract.empty_selector])
    return result


def wait_for_change(page: Page, contract: ListPage, before: str) -> bool:
    """Poll the list's signature until it differs from `before` and then holds still for
    STABLE_MS (rows arriving in several steps); False when nothing changed within `settle_ms`
    (the list may rightly stay the same)."""
    deadline = time.monotonic() + contract.settle_ms / 1000
    seen, since = before, time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(POLL_MS)
        try:
            now = signature(page, contract)
        except PlaywrightError:  # navigating: the old document is gone, the new one loading
            continue
        if now != seen:
            seen, since = now, time.monotonic()
        elif now != before and time.monotonic() - since >= STABLE_MS / 1000:
            return True
    return seen != before


def _require(contract: ListPage, section: str, *names: str) -> None:
    for name in names:
        if not getattr(contract, name):
            raise CouldNotVerify(f"{key(section, name)} is not set",
                                 f"describe the {section} list in the profile's [portal]")


def wait_for_list(page: Page, contract: ListPage) -> None:
    """Wait (bounded by settle_ms) until a row or the empty marker is there: a table that
    loads after the page (Filament's deferLoading) has neither at first."""
    either = ", ".join(s for s in (contract.row_selector, contract.empty_selector) if s)
    with contextlib.suppress(PlaywrightError):  # read_listing names what matched nothing
        page.locator(either).first.wait_for(state="attached", timeout=contract.settle_ms)


def require_cell(contract: ListPage, section: str, name: str) -> None:
    """CouldNotVerify unless the list declares the cell (status, date, search) a check reads."""
    if not getattr(contract.cells, name):
        raise CouldNotVerify(f"{key(section, 'cells')}.{name} is not set: the gate cannot read "
                             f"a row's {name}", f"name the {name} cell in {key(section, 'cells')}")


def read_listing(page: Page, contract: ListPage, section: str) -> Listing:
    """The list as the page shows it now.

    Raises: CouldNotVerify naming the profile key when rows, ids, declared cells or the total
    cannot be read (and the page does not show its declared empty-state marker).
    """
    _require(contract, section, "row_selector", "id_attribute")
    wait_for_list(page, contract)
    cells = contract.cells.model_dump()
    raw: list[dict[str, Any]] = page.evaluate(
        _READ_ROWS, [contract.row_selector, contract.id_attribute, cells]
    )
    where = path_of(page)
    empty = bool(contract.empty_selector) and page.locator(contract.empty_selector).count() > 0
    if not raw and not empty:
        raise CouldNotVerify(
            f"{key(section, 'row_selector')} matched nothing on {where}",
            f"correct {key(section, 'row_selector')}, or declare "
            f"{key(section, 'empty_selector')} for a list that is empty on purpose",
        )
    ids = [extract_id(row["id"], contract.id_pattern) for row in raw]
    if None in ids:
        raise CouldNotVerify(
            f"{key(section, 'id_attribute')} {contract.id_attribute!r} (id_pattern "
            f"{contract.id_pattern!r}) gave no id on {ids.count(None)} of {len(ids)} rows "
            f"on {where}",
            f"correct {key(section, 'id_attribute')} / {key(section, 'id_pattern')}",
        )
    for name, selector in cells.items():
        if selector and raw and all(row["cells"].get(name) is None for row in raw):
            raise CouldNotVerify(f"{key(section, 'cells')}.{name} {selector!r} matched no cell "
                                 f"in {len(raw)} rows on {where}",
                                 f"correct {key(section, 'cells')}.{name}")
    return Listing(
        ids=tuple(str(record_id) for record_id in ids),
        cells=tuple({k: v for k, v in row["cells"].items() if v is not None} for row in raw),
        total=_read_total(page, contract, section, empty),
        pagination=_read_pagination(page, contract),
        empty=empty,
    )


def _read_total(page: Page, contract: ListPage, section: str, empty: bool) -> int | None:
    if not contract.total_selector:
        return None
    element = page.locator(contract.total_selector).first
    if not element.count():
        return 0 if empty else None
    if contract.total_attribute:
        raw = element.get_attribute(contract.total_attribute)
        total = parse_int(raw)
        fix = key(section, "total_attribute")
    else:
        raw = element.text_content() or ""
        total = parse_total(raw, contract.total_patterns)
        fix = key(section, "total_patterns")
    if total is None and empty:
        return 0
    if total is None:
        raise CouldNotVerify(f"{key(section, 'total_selector')} on {path_of(page)} reads "
                             f"{(raw or '').strip()[:80]!r}, no total in it", f"correct {fix}")
    return total


def _read_pagination(page: Page, contract: ListPage) -> Pagination | None:
    marker = page.locator(contract.page_selector).first if contract.page_selector else None
    number = None
    if marker is not None and marker.count():
        raw = (marker.get_attribute(contract.page_attribute) if contract.page_attribute
               else marker.text_content())
        number = parse_int(raw)
    has_next = bool(contract.next_selector) and page.locator(contract.next_selector).count() > 0
    has_prev = bool(contract.prev_selector) and page.locator(contract.prev_selector).count() > 0
    if number is None and not has_next and not has_prev:
        return None
    return Pagination(page=number, has_prev=has_prev, has_next=has_next)


def need_total(listing: Listing, contract: ListPage, section: str, where: str) -> int:
    """The listing's total, or CouldNotVerify naming total_selector."""
    if listing.total is None:
        raise CouldNotVerify(f"{key(section, 'total_selector')} "
                             f"{contract.total_selector!r} found no total on {where}",
                             f"correct {key(section, 'total_selector')}")
    return listing.total


def _fill(field: Locator, value: str) -> None:
    if field.evaluate("e => e.tagName.toLowerCase()") == "select":
        field.select_option(value)
    else:
        field.fill(value)


def _field(page: Page, apply: Apply, what: str) -> Locator:
    field = page.locator(apply.field).first
    if not field.count():
        raise CouldNotVerify(f"{what}.field {apply.field!r} matched nothing on {path_of(page)}",
                             f"correct {what}.field")
    return field


def apply_values(page: Page, contract: ListPage, section: str, values: Mapping[str, str],
                 list_url: str) -> Listing:
    """Apply search/filter `values` (by name: search, status, from, to) the way the contract
    says — URL parameters, a GET form, or live typing — and read the list afterwards.

    Raises: CouldNotVerify when a value has no declared way in, or its field is missing.
    """
    ways: dict[str, tuple[Apply, str]] = {}
    for name, value in values.items():
        apply = contract.search if name == "search" else contract.filters.get(name)
        what = key(section, "search") if name == "search" else f"{key(section, 'filters')}.{name}"
        if apply is None:
            raise CouldNotVerify(f"{what} is not set: the gate cannot apply {name}={value!r}",
                                 f"describe how {name} is applied in {what}")
        ways[name] = (apply, what)
    by_url = {a.param: values[n] for n, (a, _) in ways.items() if a.how == "url"}
    if by_url:
        visit(page, with_params(list_url, by_url))
    submit = None
    for name, (apply, what) in ways.items():
        if apply.how == "form":
            _fill(_field(page, apply, what), values[name])
            submit = (apply, what)
    if submit is not None:
        button = page.locator(submit[0].submit).first
        if not button.count():
            raise CouldNotVerify(f"{submit[1]}.submit {submit[0].submit!r} matched nothing",
                                 f"correct {submit[1]}.submit")
        button.click()
        page.wait_for_load_state()
    for name, (apply, what) in ways.items():
        if apply.how == "live":
            before = signature(page, contract)
            _fill(_field(page, apply, what), values[name])
            wait_for_change(page, contract, before)
    return read_listing(page, contract, section)


def go_next(page: Page, contract: ListPage, section: str) -> Listing:
    """Click the next-page control and read the list once it changed (in place or not)."""
    _require(contract, section, "next_selector")
    before = signature(page, contract)
    page.locator(contract.next_selector).first.click()
    page.wait_for_load_state()
    wait_for_change(page, contract, before)
    return read_listing(page, contract, section)


def open_page(page: Page, contract: ListPage, section: str, list_url: str, number: int) -> Listing:
    """Page `number` of the list: through `page_param` in the URL, else by clicking next."""
    if contract.page_param:
        visit(page, with_params(list_url, {contract.page_param: str(number)}))
        return read_listing(page, contract, section)
    visit(page, list_url)
    listing = read_listing(page, contract, section)
    for _ in range(number - 1):
        listing = go_next(page, contract, section)
    return listing


def open_detail(page: Page, contract: ListPage, section: str, listing: Listing,
                record_id: str) -> None:
    """Open a record's detail page: `detail_url` with {id}, else click its row's link."""
    if contract.detail_url:
        visit(page, contract.detail_url.format(id=record_id))
        return
    _require(contract, section, "detail_link")
    row = page.locator(contract.row_selector).nth(listing.ids.index(record_id))
    link = row.locator(contract.detail_link).first
    if not link.count():
        raise CouldNotVerify(f"{key(section, 'detail_link')} {contract.detail_link!r} matched "
                             f"nothing in the row of {record_id} on {path_of(page)}",
                             f"correct {key(section, 'detail_link')} or set "
                             f"{key(section, 'detail_url')}")
    link.click()
    page.wait_for_load_state()


def transcript(page: Page, contract: ListPage, section: str) -> list[str]:
    """The detail page's transcript lines; [] when it shows its 'no transcript' marker.

    Raises: CouldNotVerify when neither lines nor the marker appear within settle_ms.
    """
    _require(contract, section, "transcript_selector")
    either = ", ".join(s for s in (contract.transcript_selector,
                                   contract.transcript_empty_selector) if s)
    try:
        page.locator(either).first.wait_for(timeout=contract.settle_ms)
    except PlaywrightError:
        raise CouldNotVerify(
            f"{key(section, 'transcript_selector')} matched nothing on {path_of(page)}",
            f"correct {key(section, 'transcript_selector')}, or declare "
            f"{key(section, 'transcript_empty_selector')} for a call without transcript",
        ) from None
    return [text or "" for text in page.locator(contract.transcript_selector).all_text_contents()]


# --- calendar, dashboard ----------------------------------------------------------------------
def read_calendar(page: Page, contract: CalendarPage, month: date) -> tuple[list[str], list[str]]:
    """(day dates, event ids) of the calendar for `month`.

    Raises: CouldNotVerify when the calendar is not described or its container is missing.
    """
    for name in ("url", "container", "day_selector", "date_attribute", "event_selector",
                 "event_id_attribute"):
        if not getattr(contract, name):
            raise CouldNotVerify(f"[portal.calendar].{name} is not set",
                                 "describe the appointments calendar in [portal.calendar]")
    visit(page, contract.url.format(month=month.strftime("%Y-%m")))
    if not page.locator(contract.container).count():
        raise CouldNotVerify(f"[portal.calendar].container {contract.container!r} matched "
                             f"nothing on {path_of(page)}", "correct [portal.calendar].container")
    days = _attributes(page.locator(contract.day_selector), contract.date_attribute)
    events = [e for raw in _attributes(page.locator(contract.event_selector),
                                       contract.event_id_attribute)
              if (e := extract_id(raw, contract.event_id_pattern)) is not None]
    return days, events


def _attributes(locator: Locator, name: str) -> list[str]:
    values: list[str | None] = locator.evaluate_all(
        "(els, name) => els.map(e => e.getAttribute(name))", name
    )
    return [value for value in values if value is not None]


def stat_values(page: Page, contract: DashboardPage) -> dict[str, str]:
    """Each declared stat's shown text, by name.

    Raises: CouldNotVerify naming the stat whose card cannot be found.
    """
    if not contract.stats:
        raise CouldNotVerify("[portal.dashboard].stats lists no stat card",
                             "list the dashboard's stats with their SQL in [portal.dashboard]")
    shown: dict[str, str] = {}
    for stat in contract.stats:
        if stat.selector:
            value = page.locator(stat.selector).first
            fix = f"[portal.dashboard].stats {stat.name}.selector {stat.selector!r}"
        else:
            label = page.locator(contract.stat_label,
                                 has_text=re.compile(rf"^\s*{re.escape(stat.label)}\s*$"))
            value = page.locator(contract.stat_card).filter(has=label).locator(
                contract.stat_value).first
            fix = (f"[portal.dashboard].stats {stat.name}.label {stat.label!r} (cards "
                   f"{contract.stat_card!r})")
        if not value.count():
            raise CouldNotVerify(f"stat card {stat.name}: {fix} matched nothing on "
                                 f"{path_of(page)}", f"correct {fix}")
        shown[stat.name] = value.text_content() or ""
    return shown


def chart(page: Page, contract: ChartSection) -> dict[str, Any]:
    """Size, drawn shapes (or painted canvas pixels) and (date, count) bars of the chart.

    Raises: CouldNotVerify when the chart selector matches nothing.
    """
    if not contract.selector:
        raise CouldNotVerify("[portal.chart].selector is not set",
                             "name the dashboard chart in [portal.chart]")
    result: dict[str, Any] | None = page.evaluate(
        _READ_CHART, [contract.selector, contract.bar_selector, contract.bar_date_attribute,
                      contract.bar_count_attribute],
    )
    if result is None:
        raise CouldNotVerify(f"[portal.chart].selector {contract.selector!r} matched nothing "
                             f"on {path_of(page)}", "correct [portal.chart].selector")
    return result


def activity(page: Page, contract: ActivitySection) -> list[tuple[str, str]]:
    """(kind, id) of each recent-activity item; [] when the empty marker is shown.

    Raises: CouldNotVerify when items match nothing and no empty marker is shown.
    """
    if not (contract.item_selector and contract.id_attribute):
        raise CouldNotVerify("[portal.activity].item_selector/id_attribute are not set",
                             "describe the recent-activity list in [portal.activity]")
    pairs: list[list[str | None]] = page.locator(contract.item_selector).evaluate_all(
        "(els, [kind, id]) => els.map(e => [kind ? e.getAttribute(kind) : null, "
        "e.getAttribute(id)])", [contract.kind_attribute, contract.id_attribute],
    )
    empty = bool(contract.empty_selector) and page.locator(contract.empty_selector).count() > 0
    if not pairs and not empty:
        raise CouldNotVerify(f"[portal.activity].item_selector {contract.item_selector!r} "
                             f"matched nothing on {path_of(page)}",
                             "correct [portal.activity].item_selector, or declare "
                             "[portal.activity].empty_selector")
    return [(extract_id(kind, contract.kind_pattern) or contract.default_kind, record_id)
            for kind, raw in pairs
            if (record_id := extract_id(raw, contract.id_pattern)) is not None]
