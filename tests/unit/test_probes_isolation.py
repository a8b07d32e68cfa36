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
