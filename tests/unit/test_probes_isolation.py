"""P5.1 through search and filter parameters: which requests, how rows are judged."""

from __future__ import annotations

import pytest

from staging_gate.probes.isolation import (
    ListedRows,
    ParamReplay,
    attribute_values,
    foreign_tenants,
    own_tenants,
    param_replays,
    replay_problem,
    unproven_fix,
)
from staging_gate.profile import RecordResource


def resource(**changes: object) -> RecordResource:
    values: dict[str, object] = {
        "name": "calls", "api_list": "/api/calls", "api_detail": "/api/calls/{id}",
        "page_list": "/calls", "page_detail": "/calls/{id}", "id_attribute": "data-call-id",
        "search_params": ("search",), "filter_params": ("status", "search"),
        "probe_values": {"search": "Anruf", "status": "done"},
    }
    values.update(changes)
    return RecordResource.model_validate(values)


def test_every_parameter_on_both_surfaces_once():
    replays, missing = param_replays(resource())
    assert [(r.param, r.surface, r.path) for r in replays] == [
        ("search", "api", "/api/calls"), ("search", "page", "/calls"),
        ("status", "api", "/api/calls"), ("status", "page", "/calls"),
    ]
    assert missing == []


def test_a_parameter_without_a_probe_value_is_named():
    replays, missing = param_replays(resource(probe_values={"status": "done"}))
    assert missing == ["search"] and {r.param for r in replays} == {"status"}


@pytest.mark.parametrize(("html", "expected"), [
    ('<tr data-company-id="7"><tr data-company-id=\'8\'>', ["7", "8"]),
    ('<tr data-company-id = "0189b6d2-7a3e-7c1a-9f00-3d2c1b0a9e8f">',
     ["0189b6d2-7a3e-7c1a-9f00-3d2c1b0a9e8f"]),
    ('<tr xdata-company-id="7">', []),
])
def test_attribute_values_are_strings(html, expected):
    assert attribute_values(html, "data-company-id") == expected


def test_api_rows_tenant_by_field_ids_as_strings():
    listed = ListedRows.from_api({"data": [{"company_id": 2}, {"company_id": "2"},
                                           {"company_id": 3}, {"x": 1}]}, "company_id")
    assert listed.rows == 4 and listed.tenants == ("2", "2", "3")


def test_page_rows_counted_by_id_attribute_tenants_by_company_attribute():
    html = ('<span data-company-id="2">me</span><tr data-call-id="a1" data-company-id="2">'
            '<tr data-call-id="b9" data-company-id="1">')
    listed = ListedRows.from_page(html, "data-call-id", "data-company-id")
    assert listed.rows == 2 and foreign_tenants(listed, {"2"}) == {"1": 1}


REPLAY = ParamReplay("calls", "api", "/api/calls", "search", "Anruf")


def test_foreign_rows_name_the_parameter_and_the_tenants():
    own = own_tenants([ListedRows(2, ("2", "2"))])
    problem = replay_problem(REPLAY, 200, ListedRows(3, ("2", "1", "3")), own, "tenant_b")
    assert problem is not None
    assert ("GET /api/calls?search=Anruf listed rows of other tenants — 1 (1 row), 3 (1 row)"
            in problem)
    assert "the search parameter is not scoped to the tenant" in problem


def test_own_rows_only_pass_and_errors_are_named():
    assert replay_problem(REPLAY, 200, ListedRows(2, ("2", "2")), {"2"}, "b") is None
    assert "answered 500, expected 200" in (replay_problem(REPLAY, 500, None, {"2"}, "b") or "")


def test_fix_names_the_profile_key():
    fix = unproven_fix("calls", ["search", "status", "search"])
    assert "probe_values for search, status" in fix


FILAMENT_ROWS = """
<input wire:key="call-history-table.table.search.field.input">
<tr wire:key="call-history-table.table.records.0d5a7514-901c-4da5-a056-fa67d1a91f79"></tr>
<tr wire:key='call-history-table.table.records.1811f3c9-9450-457f-bf1e-cb2170b1ff9c'></tr>
<a wire:key="call-history-table.pagination.next">Weiter</a>
"""
UUID_KEY = r"\.table\.records\.([0-9a-f-]{36})$"


def test_page_without_tenant_attribute_lists_rows_by_id_pattern_only():
    listed = ListedRows.from_page(FILAMENT_ROWS, "wire:key", "", UUID_KEY)
    assert listed.rows == 2 and listed.tenants == ()
    assert listed.ids == ("0d5a7514-901c-4da5-a056-fa67d1a91f79",
                          "1811f3c9-9450-457f-bf1e-cb2170b1ff9c")


def test_an_empty_attribute_name_matches_nothing():
    assert attribute_values(FILAMENT_ROWS, "") == []


def test_rows_judged_by_owner_name_the_rows_the_company_does_not_own():
    listed = ListedRows.from_page(FILAMENT_ROWS, "wire:key", "", UUID_KEY)
    judged = listed.judged_by_owner(["0d5a7514-901c-4da5-a056-fa67d1a91f79"], "2")
    assert judged.tenants == ("2", "not company 2")
    assert foreign_tenants(judged, {"2"}) == {"not company 2": 1}


def test_rows_all_owned_are_own_rows_and_integer_ids_compare_as_text():
    listed = ListedRows(2, (), ("7", "12"))
    assert foreign_tenants(listed.judged_by_owner([7, 12], "1"), {"1"}) == {}
