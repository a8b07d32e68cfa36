"""Record ids and rows read back from list answers (probes/records.py), over mocked HTTP."""

import json

import httpx
import pytest

from staging_gate.probes import records
from staging_gate.probes.isolation import ListedRows
from staging_gate.profile import RecordResource, RoutesSection

CALLS = RecordResource(
    name="calls", api_list="/api/calls", api_detail="/api/calls/{id}", page_list="/calls",
    page_detail="/calls/{id}", id_attribute="data-call-id", company_attribute="data-company",
    company_field="company_id",
)


def client(routes: dict[str, tuple[int, str]]) -> httpx.Client:
    """GET path -> (status, body); anything else 404."""
    def answer(request: httpx.Request) -> httpx.Response:
        status, body = routes.get(request.url.path, (404, "not found"))
        return httpx.Response(status, text=body)
    return httpx.Client(transport=httpx.MockTransport(answer), base_url="http://127.0.0.1")


API_BODY = json.dumps({"data": [{"id": 12, "company_id": 7}, {"id": 13, "company_id": 7}]})
PAGE_BODY = '<tr data-call-id="12" data-company="7"></tr><tr data-call-id="14"></tr>'


def test_harvest_reads_both_lists_and_bounds_them():
    found = records.harvest_ids(client({"/api/calls": (200, API_BODY),
                                        "/calls": (200, PAGE_BODY)}), CALLS, limit=2)
    assert len(found.ids) == 2 and set(found.ids) <= {"12", "13", "14"}
    assert found.companies == ["7"]
    assert found.missing_id not in {"12", "13", "14"}
    assert found.replay_paths()[:2] == [("/api/calls", True), ("/calls", False)]
    assert (f"/api/calls/{found.ids[0]}", True) in found.detail_paths()


def test_harvest_without_ids_in_two_200_lists_is_could_not_verify():
    with pytest.raises(records.HarvestFailed) as failed:
        records.harvest_ids(client({"/api/calls": (200, '{"data": []}'),
                                    "/calls": (200, "<p>none</p>")}), CALLS, limit=5)
    assert failed.value.fix is not None and "id_attribute" in failed.value.fix
    assert "no calls ids found in GET /api/calls" in str(failed.value)
    assert len(failed.value.responses) == 2


def test_harvest_from_a_failing_list_is_a_failure():
    with pytest.raises(records.HarvestFailed) as failed:
        records.harvest_ids(client({"/api/calls": (500, "boom"), "/calls": (200, PAGE_BODY)}),
                            CALLS, limit=5)
    assert failed.value.fix is None
    assert str(failed.value) == ("no calls ids to replay: GET /api/calls answered 500, "
                                 "GET /calls answered 200 (2 ids found)")


def test_portal_surface_lists_every_path_once_in_order():
    routes = RoutesSection(portal_paths=("/portal", "/calls"), portal_api_paths=("/api/calls",),
                           portal_login="/login")
    harvest = records.Harvest(CALLS, ["12"], [], "99")
    assert records.portal_surface(routes, [harvest]) == [
        "/portal", "/calls", "/api/calls", "/login", "/api/calls/12", "/calls/12"]


def test_missing_responses_ask_both_detail_pages_for_the_missing_id():
    answers = records.missing_responses(client({"/calls/99": (200, "shown")}),
                                        records.Harvest(CALLS, ["12"], [], "99"))
    assert {k: r.status_code for k, r in answers.items()} == {True: 404, False: 200}


@pytest.mark.parametrize(("status", "body", "is_api", "rows"), [
    (200, API_BODY, True, 2),
    (200, PAGE_BODY, False, 2),
    (200, '{"data": "x"}', True, 0),
    (500, API_BODY, True, None),
])
def test_row_count(status, body, is_api, rows):
    assert records.row_count(httpx.Response(status, text=body), is_api, "data-call-id") == rows


def test_listed_rows_read_the_tenant_of_each_row():
    assert records.listed_rows(httpx.Response(200, text=API_BODY), CALLS, "api") == \
        ListedRows(2, ("7", "7"))
    assert records.listed_rows(httpx.Response(200, text=PAGE_BODY), CALLS, "page") == \
        ListedRows(2, ("7",), ids=("12", "14"))
    assert records.listed_rows(httpx.Response(200, text="<html>"), CALLS, "api") is None
    assert records.listed_rows(httpx.Response(403, text=API_BODY), CALLS, "api") is None


def test_injection_probe_reports_a_server_error_with_its_request_line():
    result = records.injection_probe(client({"/api/calls": (500, "SQLSTATE[42000]: syntax")}),
                                     "/api/calls", {"q": "'"}, True, CALLS, literal=True)
    assert result.problem is not None
    assert result.line == "500 /api/calls?q=%27"
    assert result.response.status_code == 500


def test_injection_probe_passes_a_clean_literal_search():
    result = records.injection_probe(client({"/api/calls": (200, '{"data": []}')}),
                                     "/api/calls", {"q": "'"}, True, CALLS, literal=True)
    assert result.problem is None
