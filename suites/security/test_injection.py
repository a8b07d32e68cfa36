"""P5.2: SQL injection probes — read-only (quotes, comments, escapes; no OR tautologies, no
SLEEP) in search and filter parameters and in record ids, sent as a logged-in tenant. They are
what an attacker would send, so they are marked `active`: run only where the guard confirms
staging."""

from itertools import product

import pytest

from staging_gate import expect
from staging_gate.evidence import attach_json, attach_response
from staging_gate.probes import records, security
from staging_gate.probes.http_checks import observe

pytestmark = pytest.mark.active


def test_P5_2_injection_probes_answer_cleanly(harvest, tenants, owner_and_other):
    """Quotes in search, filters and ids answer < 500, show no SQL error, and search for them
    literally (a canary that no record contains matches nothing)."""
    client, resource = tenants[owner_and_other[0]], harvest.resource
    problems, seen = [], []
    # Search and filter parameters, on both surfaces: each builds its own query.
    params = [(p, True) for p in resource.search_params]
    params += [(p, False) for p in resource.filter_params]
    for payload in security.injection_payloads():
        for (param, is_search), (path, is_api) in product(
                params, ((resource.api_list, True), (resource.page_list, False))):
            probe = records.injection_probe(client, path, {param: payload}, is_api,
                                            resource, is_search)
            seen.append(probe.line)
            if probe.problem:
                attach_response(probe.response)
                problems.append(probe.problem)
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
