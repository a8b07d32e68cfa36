"""The `[portal]` profile section: the customer portal's pages described as data.

Phase 4 reads pages through this contract — a page object written in TOML — and judges them
against SQL the profile supplies, so no selector, column or table of one deployment lives in
code. A preset (`preset = "filament"`, `preset = "reference"`: TOML files in
`staging_gate/presets/`) holds a framework's conventions; the profile's own keys override it
(a deep merge, table by table).

    [portal]                     preset, company_sql, today_sql, logout_selector
    [portal.calls]               a list page (ListPage): url, row_selector, id_attribute,
    [portal.appointments]          id_pattern, empty_selector, cells, total_*, page_*, next/prev,
                                   search, filters, status_labels, detail_*, transcript_selector
    [portal.<list>.sql]          count, owned, rarest_status, with_transcript, transcript
    [portal.calendar]            url, container, day_selector, date_attribute,
                                   event_selector, event_id_*
    [portal.dashboard]           url, stat_card/stat_label/stat_value, stats = [{name, label |
                                   selector, sql}]
    [portal.chart]               selector, bar_selector, bar_*_attribute, days, per_day_sql
    [portal.activity]            item_selector, empty_selector, id_*, kind_attribute,
                                   kind_pattern, default_kind, owned_sql, latest_sql, latest_kind

SQL runs read-only with named parameters (pymysql's ``%(name)s``; a literal ``%`` is ``%%``):
``company_id`` (what `company_sql` returned), ``today``, ``status``, ``from``, ``to``
(inclusive day), ``until`` (the day after ``to``: an exclusive bound), ``search``, ``ids``
(a tuple, for ``IN %(ids)s``), ``id``. Unused filters are NULL, so one count can serve every
filter: ``AND (%(status)s IS NULL OR status = %(status)s)``.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PRESETS_PACKAGE = "staging_gate.presets"


class Section(BaseModel):
    """A table of the profile (here and in `staging_gate.profile`): frozen, and an unknown
    key is an error (a typo must not silently fall back to a default)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


_READ_ONLY_SQL = re.compile(r"^\s*(SELECT|WITH)\b", re.IGNORECASE)


def _read_only(value: str) -> str:
    """Profile SQL must be one SELECT (or WITH … SELECT): the gate never writes."""
    if value and (not _READ_ONLY_SQL.match(value) or ";" in value.strip().rstrip(";")):
        raise ValueError(f"portal SQL must be one SELECT statement, got {value[:60]!r}")
    return value


def regex(value: str) -> str:
    """`value` unchanged if empty or a valid Python regular expression; ValueError naming
    the pattern and re's reason otherwise (pydantic reports it against the profile key)."""
    if value:
        try:
            re.compile(value)
        except re.error as error:
            raise ValueError(f"{value!r} is not a regular expression: {error}") from None
    return value


class Apply(Section):
    """How one search term or filter value reaches a list.

    ``url``: set query parameter `param` and load the list again (Filament list pages keep
    ``tableSearch`` and ``tableFilters[…]`` in the URL). ``form``: fill `field` (an input or
    select) and click `submit` — a classic GET form. ``live``: fill `field` and wait until
    the rows change in place (Livewire ``wire:model.live``), bounded by the list's settle_ms.
    """

    how: Literal["url", "form", "live"] = "url"
    param: str = ""
    field: str = ""
    submit: str = ""

    @model_validator(mode="after")
    def _complete(self) -> Apply:
        if self.how == "url" and not self.param:
            raise ValueError("how = 'url' needs param (the query parameter)")
        if self.how in ("form", "live") and not self.field:
            raise ValueError(f"how = {self.how!r} needs field (a selector)")
        if self.how == "form" and not self.submit:
            raise ValueError("how = 'form' needs submit (the submit button's selector)")
        return self


class ListCells(Section):
    """Selectors, relative to a row, of the cells a check reads."""

    status: str = ""
    date: str = Field(default="", description="A date (ISO 2026-11-29 or German 29.11.2026).")
    search: str = Field(default="", description="A cell whose text the search must find.")


class ListSql(Section):
    """Read-only SQL for one list (named parameters: see the module docstring)."""

    count: str = Field(default="", description="One number: the company's rows under the "
                       "filters status/from/to/until/search (NULL = not filtered).")
    owned: str = Field(default="", description="Ids among %(ids)s that the company owns.")
    rarest_status: str = Field(default="", description="The company's least frequent status "
                               "(since %(from)s when not NULL): one row, first column.")
    with_transcript: str = Field(default="", description="Ids among %(ids)s with a transcript.")
    transcript: str = Field(default="", description="Transcript lines of %(id)s, in order.")

    @field_validator("*")
    @classmethod
    def _select_only(cls, value: str) -> str:
        return _read_only(value)


class ListPage(Section):
    """One list page (calls, appointments): how rows, ids, totals and controls are read."""

    url: str = ""
    row_selector: str = ""
    id_attribute: str = ""
    id_pattern: str = Field(default="", description="Regex; group 1 of the attribute's value "
                            "is the id (Filament: wire:key '….table.records.<key>').")
    empty_selector: str = Field(default="", description="The empty-state marker: zero rows "
                                "shown on purpose.")
    cells: ListCells = ListCells()
    total_selector: str = ""
    total_attribute: str = Field(default="", description="Read the total from this attribute; "
                                 "empty = from the element's text via total_patterns.")
    total_patterns: tuple[str, ...] = ()
    page_selector: str = Field(default="", description="The current page marker.")
    page_attribute: str = ""
    next_selector: str = ""
    prev_selector: str = ""
    page_param: str = Field(default="page", description="Query parameter opening page N "
                            "directly; empty = click next_selector.")
    search: Apply | None = None
    filters: dict[str, Apply] = Field(default_factory=dict, description="By value name: "
                                      "status, from, to.")
    status_labels: dict[str, str] = Field(default_factory=dict, description="Database status "
                                          "→ the text the page shows for it.")
    detail_url: str = Field(default="", description="Path template with {id}; empty = click "
                            "detail_link in the row.")
    detail_link: str = ""
    transcript_selector: str = ""
    transcript_empty_selector: str = Field(default="", description="The detail page's "
                                           "'no transcript' marker.")
    settle_ms: int = Field(default=5000, ge=100, le=60_000,
                           description="How long an in-place (Livewire) update may take.")
    sql: ListSql = ListSql()

    @field_validator("id_pattern")
    @classmethod
    def _id_pattern(cls, value: str) -> str:
        return regex(value)

    @field_validator("total_patterns")
    @classmethod
    def _total_patterns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(regex(pattern) for pattern in value)


class CalendarPage(Section):
    """The appointments calendar: a month grid of days with the month's events.
    `url` may hold {month} (YYYY-MM)."""

    url: str = ""
    container: str = Field(default="", description="The calendar element: present but without "
                           "days is a broken calendar; absent is a profile to fix.")
    day_selector: str = ""
    date_attribute: str = ""
    event_selector: str = ""
    event_id_attribute: str = ""
    event_id_pattern: str = ""

    @field_validator("event_id_pattern")
    @classmethod
    def _id_pattern(cls, value: str) -> str:
        return regex(value)


class StatCard(Section):
    """One dashboard number: found by `selector` or by its `label` text; equals `sql`."""

    name: str
    selector: str = ""
    label: str = ""
    sql: str

    @field_validator("sql")
    @classmethod
    def _select_only(cls, value: str) -> str:
        return _read_only(value)

    @model_validator(mode="after")
    def _located(self) -> StatCard:
        if not (self.selector or self.label):
            raise ValueError(f"stat {self.name!r} needs selector or label")
        return self


class DashboardPage(Section):
    """Stat cards: by their own selector, or by label within `stat_card` (preset)."""

    url: str = ""
    stat_card: str = ""
    stat_label: str = ""
    stat_value: str = ""
    stats: tuple[StatCard, ...] = ()


class ChartSection(Section):
    selector: str = ""
    bar_selector: str = Field(default="", description="Optional: bars carrying a day and a "
                              "count, compared with per_day_sql.")
    bar_date_attribute: str = ""
    bar_count_attribute: str = ""
    days: int = Field(default=14, ge=1, le=366)
    per_day_sql: str = Field(default="", description="(day, count) rows of the company "
                             "between %(from)s and %(until)s.")

    @field_validator("per_day_sql")
    @classmethod
    def _select_only(cls, value: str) -> str:
        return _read_only(value)


class ActivitySection(Section):
    item_selector: str = ""
    empty_selector: str = ""
    id_attribute: str = ""
    id_pattern: str = ""
    kind_attribute: str = Field(default="", description="Empty = every item is default_kind.")
    kind_pattern: str = Field(default="", description="Regex; group 1 of kind_attribute's "
                              "value is the kind (e.g. wire:key '….records.call-<id>').")
    default_kind: str = ""
    owned_sql: dict[str, str] = Field(default_factory=dict, description="Per kind: ids among "
                                      "%(ids)s the company owns.")
    latest_sql: str = Field(default="", description="The id of the company's latest entry "
                            "of latest_kind, which must be among the items.")
    latest_kind: str = ""

    @field_validator("id_pattern", "kind_pattern")
    @classmethod
    def _id_pattern(cls, value: str) -> str:
        return regex(value)

    @field_validator("latest_sql")
    @classmethod
    def _select_only(cls, value: str) -> str:
        return _read_only(value)

    @field_validator("owned_sql")
    @classmethod
    def _owned(cls, value: dict[str, str]) -> dict[str, str]:
        return {kind: _read_only(sql) for kind, sql in value.items()}


class PortalSection(Section):
    """Phase 4's page objects and database oracles (see the module docstring)."""

    preset: str = ""
    company_sql: str = Field(default="", description="The tenant's company for %(email)s: "
                             "one row, first column.")
    today_sql: str = "SELECT CURDATE()"
    logout_selector: str = Field(default="", description="A button ending the session; empty "
                                 "= the browser context just closes.")
    calls: ListPage = ListPage()
    appointments: ListPage = ListPage()
    calendar: CalendarPage = CalendarPage()
    dashboard: DashboardPage = DashboardPage()
    chart: ChartSection = ChartSection()
    activity: ActivitySection = ActivitySection()

    @field_validator("company_sql", "today_sql")
    @classmethod
    def _select_only(cls, value: str) -> str:
        return _read_only(value)

    @model_validator(mode="before")
    @classmethod
    def _apply_preset(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("preset"):
            return deep_merge(load_preset(str(data["preset"])), data)
        return data


def preset_names() -> list[str]:
    folder = resources.files(PRESETS_PACKAGE)
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir()
                  if p.name.endswith(".toml"))


def load_preset(name: str) -> dict[str, Any]:
    """The preset's `[portal]` table as a dict; ValueError naming the known presets."""
    if name not in preset_names():
        raise ValueError(f"unknown preset {name!r}; presets are {', '.join(preset_names())}")
    text = resources.files(PRESETS_PACKAGE).joinpath(f"{name}.toml").read_text("utf-8")
    portal: dict[str, Any] = tomllib.loads(text).get("portal", {})
    return portal


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`over` wins key by key; tables present in both are merged, everything else replaced."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
