"""Reading the customer portal in a real browser: small page helpers over Playwright.

Pages are server-rendered, so `page.goto` (which waits for `load`) hands back a complete
DOM; each reader pulls what it needs in one `evaluate` round trip. Only GET navigations
and GET forms: nothing here changes the target's state except logging in and out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from playwright.sync_api import Page

from staging_gate.evidence import attach_png
from staging_gate.probes.portal import Listing, Pagination, parse_int

PASSWORD_FIELD = "input[type=password]"

_READ_ROWS = """([rows, idAttr]) => Array.from(document.querySelectorAll(rows)).map(tr => ({
  id: tr.getAttribute(idAttr),
  cells: Object.fromEntries(Array.from(tr.querySelectorAll('td[data-col]'))
    .map(td => [td.dataset.col, td.innerText])),
}))"""

_READ_NAV = """sel => { const n = document.querySelector(sel); if (!n) return null;
  return {page: n.dataset.page ?? null, last: n.dataset.lastPage ?? null,
          total: n.dataset.total ?? null, prev: !!n.querySelector('a[rel=prev]'),
          next: !!n.querySelector('a[rel=next]')}; }"""

_READ_CHART = """sel => { const c = document.querySelector(sel); if (!c) return null;
  const box = c.getBoundingClientRect();
  const shapes = c.tagName.toLowerCase() === 'canvas' ? [] :
    Array.from(c.querySelectorAll('rect, path, circle, polygon, polyline'));
  let drawn = shapes.filter(s => { const b = s.getBBox(); return b.width > 0 && b.height > 0; })
    .length;
  if (c.tagName.toLowerCase() === 'canvas') {
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    drawn = px.some((v, i) => i % 4 === 3 && v > 0) ? 1 : 0;
  }
  const bars = Array.from(c.querySelectorAll('[data-date][data-count]'))
    .map(b => [b.dataset.date, b.dataset.count]);
  return {width: box.width, height: box.height, drawn, bars}; }"""


class PageProblem(Exception):
    """The page did not answer or render as a portal page should; the message says how."""


def visit(page: Page, path: str, *, login_form: bool = False) -> None:
    """Open `path`; a non-200 answer or (unless expected) a login form is a PageProblem."""
    response = page.goto(path)
    status = None if response is None else response.status
    if status != 200:
        raise PageProblem(f"GET {path} answered {status}, expected 200")
    if not login_form and page.locator(PASSWORD_FIELD).count():
        raise PageProblem(f"GET {path} ended on the login form ({page.url})")


def log_in(page: Page, login_path: str, email: str, password: str) -> None:
    """Log in through the real login form, as a customer would."""
    visit(page, login_path, login_form=True)
    form = page.locator(f"form:has({PASSWORD_FIELD})")
    form.locator("input[name=email], input[type=email]").first.fill(email)
    form.locator(PASSWORD_FIELD).fill(password)
    form.locator("[type=submit]").click()
    page.wait_for_load_state()
    if page.locator(PASSWORD_FIELD).count():
        raise PageProblem(f"login through {login_path} as {email} stayed on the login form")


def log_out(page: Page) -> None:
    """Submit the logout form if the current page has one (ends the server-side session)."""
    button = page.locator("form#logout-form [type=submit]")
    if button.count():
        button.click()
        page.wait_for_load_state()


def snapshot(page: Page, name: str) -> None:
    attach_png(name, page.screenshot(full_page=True))


def submit_filter(page: Page, form_selector: str, fields: Mapping[str, str]) -> None:
    """Fill a GET filter form (inputs or selects by name) and submit it."""
    form = page.locator(form_selector)
    for name, value in fields.items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName.toLowerCase()") == "select":
            field.select_option(value)
        else:
            field.fill(value)
    form.locator("[type=submit]").click()
    page.wait_for_load_state()


def read_listing(page: Page, rows: str, id_attr: str) -> Listing:
    raw_rows: list[dict[str, Any]] = page.evaluate(_READ_ROWS, [rows, id_attr])
    parsed = [(parse_int(row["id"]), row["cells"]) for row in raw_rows]
    nav: dict[str, Any] | None = page.evaluate(_READ_NAV, "nav.pagination")
    pagination = None if nav is None else Pagination(
        page=parse_int(nav["page"]), last_page=parse_int(nav["last"]),
        total=parse_int(nav["total"]), has_prev=bool(nav["prev"]), has_next=bool(nav["next"]),
    )
    return Listing(
        ids=tuple(record_id for record_id, _ in parsed if record_id is not None),
        cells=tuple(cells for record_id, cells in parsed if record_id is not None),
        pagination=pagination,
    )


def texts(page: Page, selector: str) -> list[str]:
    return page.locator(selector).all_inner_texts()


def attributes(page: Page, selector: str, name: str) -> list[str]:
    values: list[str | None] = page.locator(selector).evaluate_all(
        f"els => els.map(e => e.getAttribute({name!r}))"
    )
    return [value for value in values if value is not None]


def stat_cards(page: Page) -> dict[str, str]:
    pairs: list[list[str]] = page.locator("[data-stat]").evaluate_all(
        "els => els.map(e => [e.dataset.stat, e.innerText])"
    )
    return {name: value for name, value in pairs}


def activity(page: Page, selector: str) -> list[tuple[str, int]]:
    """(kind, id) of each `[data-activity][data-id]` entry."""
    pairs: list[list[str | None]] = page.locator(selector).evaluate_all(
        "els => els.map(e => [e.dataset.activity, e.dataset.id ?? null])"
    )
    return [(str(kind), record_id) for kind, raw in pairs
            if (record_id := parse_int(raw)) is not None]


def chart(page: Page, selector: str) -> dict[str, Any] | None:
    """Size, drawn shapes (or painted canvas pixels) and `[data-date][data-count]` bars."""
    result: dict[str, Any] | None = page.evaluate(_READ_CHART, selector)
    return result
