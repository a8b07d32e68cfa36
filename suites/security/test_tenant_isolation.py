"""P5.1: no cross-tenant access — record ids harvested as one tenant are replayed as another
tenant (who must get exactly what a non-existent id gets) and anonymously (login wall), and
no tenant's lists show another tenant's records."""

from staging_gate import expect
from staging_gate.evidence import attach_json, attach_response
from staging_gate.probes import records, security


def test_P5_1_foreign_records_answer_like_missing(harvest, tenants, owner_and_other, profile):
    """Another tenant's record answers exactly like a non-existent one: same status, same body."""
    owner_key, other_key = owner_and_other
    owner, other = tenants[owner_key], tenants[other_key]
    missing = {}
    for is_api, response in records.missing_responses(other, harvest).items():
        attach_response(response, f"reference: missing id {harvest.missing_id} "
                                  f"({response.status_code})")
        missing[is_api] = security.answer(response)
    problems = [
        f"{answer.describe()}, expected 404 for a missing id"
        for answer in missing.values()
        if answer.status != 404
    ]
    seen = []
    for path, is_api in harvest.detail_paths():
        own = security.answer(owner.get(path))
        if own.status != 200:
            problems.append(f"{own.describe()} as its owner {owner_key}: the replay proves nothing")
        response = other.get(path)
        foreign = security.answer(response)
        seen.append({"path": path, "owner": own.status, other_key: foreign.status})
        problem = security.foreign_record_problem(foreign, missing[is_api], other_key)
        if problem:
            attach_response(response)
            problems.append(problem)
    attach_json(f"{harvest.resource.name} replayed as {other_key}", seen)
    expect.no_problems(problems, f"{owner_key}'s {harvest.resource.name} replayed as {other_key}")


def test_P5_1_anonymous_cannot_read_records(harvest, anonymous, profile):
    """Without a session, everything the owner read (lists, details) answers 401 (API) or
    sends to the login page."""
    problems, seen = [], []
    for path, is_api in harvest.replay_paths():
        response = anonymous.get(path)
        answer = security.answer(response)
        seen.append(answer.describe())
        problem = security.anonymous_record_problem(
            answer.seen, is_api, profile.routes.portal_login
        )
        if problem:
            attach_response(response)
            problems.append(problem)
    attach_json(f"{harvest.resource.name} replayed anonymously", seen)
    expect.no_problems(problems, f"{harvest.resource.name} lists and details without login")


def test_P5_1_lists_show_only_own_records(harvest, tenants, owner_and_other):
    """The other tenant's lists (API and page) contain none of the owner's records."""
    owner_key, other_key = owner_and_other
    other, resource = tenants[other_key], harvest.resource
    api = other.get(resource.api_list)
    page = other.get(resource.page_list)
    attach_response(api)
    attach_response(page)
    payload = api.json() if api.status_code == 200 else None
    problems = [
        f"{security.answer(r).describe()} for {other_key}, expected 200"
        for r in (api, page)
        if r.status_code != 200
    ]
    problems += security.list_leak_problems(
        security.api_ids(payload), security.api_ids(payload, resource.company_field),
        harvest.ids, harvest.companies, f"{other_key}'s {resource.api_list}",
    )
    problems += security.list_leak_problems(
        security.html_ids(page.text, resource.id_attribute, resource.id_pattern),
        security.html_ids(page.text, resource.company_attribute),
        harvest.ids, harvest.companies, f"{other_key}'s {resource.page_list}",
    )
    expect.no_problems(problems, f"{resource.name} lists of {other_key} vs {owner_key}'s records")
