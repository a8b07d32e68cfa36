"""The `[portal]` profile section: presets merged under the profile's own keys, SQL read-only,
selectors and patterns checked when the profile is loaded."""

import pytest
from pydantic import ValidationError

from staging_gate.portal_contract import (
    Apply,
    PortalSection,
    deep_merge,
    load_preset,
    preset_names,
)


def test_presets_are_package_data():
    assert {"filament", "reference"} <= set(preset_names())


@pytest.mark.parametrize("name", ["filament", "reference"])
def test_every_preset_validates_alone(name):
    section = PortalSection.model_validate({"preset": name})
    assert section.calls.row_selector and section.calls.id_attribute
    assert section.appointments.row_selector


def test_profile_keys_override_the_preset_table_by_table():
    section = PortalSection.model_validate({
        "preset": "filament",
        "calls": {"url": "/portal/call-histories",
                  "cells": {"status": "td.fi-table-cell-call-status"},
                  "filters": {"status": {"param": "tableFilters[call_status][value]"}}},
    })
    assert section.calls.url == "/portal/call-histories"
    assert section.calls.cells.status == "td.fi-table-cell-call-status"
    assert section.calls.filters["status"] == Apply(how="url",
                                                     param="tableFilters[call_status][value]")
    assert section.calls.id_pattern == load_preset("filament")["calls"]["id_pattern"]
    assert section.calls.search == Apply(how="live", field=".fi-ta-search-field input[type=search]")


def test_unknown_preset_names_the_known_ones():
    with pytest.raises(ValidationError, match="unknown preset 'filamnet'; presets are filament"):
        PortalSection.model_validate({"preset": "filamnet"})


@pytest.mark.parametrize(
    "sql",
    ["DELETE FROM calls", "SELECT 1; DROP TABLE calls", "UPDATE x SET y = 1"],
)
def test_portal_sql_must_be_one_select(sql):
    with pytest.raises(ValidationError, match="must be one SELECT"):
        PortalSection.model_validate({"calls": {"sql": {"count": sql}}})


def test_select_and_with_are_accepted():
    section = PortalSection.model_validate({"calls": {"sql": {
        "count": "  select count(*) from calls;", "owned": "WITH x AS (SELECT 1) SELECT * FROM x",
    }}})
    assert section.calls.sql.owned.startswith("WITH")


def test_bad_id_pattern_is_a_profile_error():
    with pytest.raises(ValidationError, match="is not a regular expression"):
        PortalSection.model_validate({"calls": {"id_pattern": "(unclosed"}})


@pytest.mark.parametrize(
    ("apply", "needs"),
    [({"how": "url"}, "needs param"), ({"how": "live"}, "needs field"),
     ({"how": "form", "field": "#q"}, "needs submit")],
)
def test_apply_says_what_it_needs(apply, needs):
    with pytest.raises(ValidationError, match=needs):
        Apply.model_validate(apply)


def test_stat_needs_a_selector_or_a_label():
    with pytest.raises(ValidationError, match="needs selector or label"):
        PortalSection.model_validate({"dashboard": {"stats": [{"name": "x", "sql": "SELECT 1"}]}})


def test_deep_merge_replaces_lists_and_merges_tables():
    assert deep_merge({"a": {"b": 1, "c": [1]}, "d": 1}, {"a": {"c": [2]}}) == {
        "a": {"b": 1, "c": [2]}, "d": 1}
