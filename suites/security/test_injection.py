"""P5.2: SQL injection probes — read-only (quotes, comments, escapes; no OR tautologies, no
SLEEP) in search and filter parameters and in record ids, sent as a logged-in tenant. They are
what an attacker would send, so they are marked `active`: run only where the guard confirms
staging."""

import pytest

from staging_gate import expect
from staging_gate.evidence import attach_json, attach_response
from staging_gate.probes import security
from staging_gate.probes.http_checks import observe

pytestmark = pytest.mark.active


def _rows(response, is_api: bool, resource) -> int | None:
    if response.status_code != 200:
        return None
    if is_api:
        return len(security.api_rows(response.json()))
    return len(security.html_ids(response.text, resource.id_attribute, resource.id_pattern))


def _probe(client, path, params, is_api, resource, literal: bool) -> tuple[str | None, str]:
    response = client.get(path, params=params)
    rows = _rows(response, is_api, resource) if literal else None
    problem = security.injection_problem(observe(response), response.text, rows)
    if problem:
        attach_response(response)
    return problem, f"{response.status_code} {response.request.url.raw_path.decode()}"


def test_P5_2_injection_probes_answer_cleanly(harvest, tenants, owner_and_other):
    """Quotes in search, filters and ids answer < 500, show no SQL error, and search for them
    literally (a canary that no record contains matches nothing)."""
    client, resource = tenants[owner_and_other[0]], harvest.resource
    problems, seen = [], []
    for payload in security.injection_payloads():
        for param in resource.search_params:
            for path, is_api in ((resource.api_list, True), (resource.page_list, False)):
                problem, line = _probe(client, path, {param: payload}, is_api, resource, True)
                seen.append(line)
                problems += [problem] if problem else []
        for param in resource.filter_params:  # on both surfaces: each builds its own query
            for path, is_api in ((resource.api_list, True), (resource.page_list, False)):
                problem, line = _probe(client, path, {param: payload}, is_api, resource, False)
                seen.append(line)
                problems += [problem] if problem else []
    for bad_id in security.NON_NUMERIC_IDS:
        for template in (resource.api_detail, resource.page_detail):
            response = client.get(template.format(id=bad_id))
            seen.append(f"{response.status_code} {response.request.url.raw_path.decode()}")
            problem = security.injection_problem(observe(response), response.text, None)
            if problem or response.status_code == 200:
                attach_response(response)
                problems.append(problem or f"{observe(response).describe()}, expected 404")
    attach_json(f"{resource.name} injection probes", seen)
    expect.no_problems(problems, f"SQL injection probes on {resource.name}")
