"""P5.1 through every search and filter parameter: the other tenant's lists, searched and
filtered with values every tenant's records match, on the API and the HTML page, show only
its own tenant's rows (each row judged by its own tenant field, or - a page that shows no
tenant - by its owner in the database, `[portal.<name>.sql].owned`). A list can be scoped
while a search over it is not; see `staging_gate.probes.isolation`."""

import pytest

from staging_gate import expect
from staging_gate.evidence import attach_json, attach_response
from staging_gate.probes import isolation
from staging_gate.probes.records import listed_rows
from staging_gate.run.plugin import gate_profile


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Once per record type of the profile (once, to fail, when it lists none)."""
    if "record" in metafunc.fixturenames:
        records = gate_profile(metafunc.config).security.records
        metafunc.parametrize("record", list(records) or [None],
                             ids=[r.name for r in records] or ["no-records"])


@pytest.fixture
def page_owner(request, profile):
    """``(record, who) -> judge | None``: rows of a page that shows no tenant, judged by owner."""
    return lambda record, who: isolation.owner_judge(
        profile, record, who, lambda: request.getfixturevalue("db"))


def test_P5_1_searches_and_filters_show_only_own_records(record, tenants, owner_and_other,
                                                         page_owner):
    """Every search and filter parameter, API and page, lists only the tenant's own rows."""
    expect.that(record is not None, "profile lists no security.records; nothing to check")
    who = owner_and_other[1]
    client = tenants[who]
    by_owner = page_owner(record, who)
    plain = [listed_rows(client.get(record.api_list), record, "api"),
             listed_rows(client.get(record.page_list), record, "page", by_owner)]
    own = isolation.own_tenants(seen for seen in plain if seen is not None)
    if not own:
        expect.unverified(
            f"{who}'s plain {record.name} lists show no row tenant ({record.company_field} in "
            f"the API, {record.company_attribute} in the page): own and foreign rows look alike",
            f"set company_field / company_attribute of security.records ({record.name!r})")
    replays, missing = isolation.param_replays(record)
    problems, empty, seen = [], [], []
    for replay in replays:
        response = client.get(replay.path, params=replay.params)
        rows = listed_rows(response, record, replay.surface, by_owner)
        problem = isolation.replay_problem(replay, response.status_code, rows, own, who)
        seen.append({"request": replay.label, "status": response.status_code,
                     "rows": rows.rows if rows else None,
                     "foreign": isolation.foreign_tenants(rows, own) if rows else None})
        if problem:
            attach_response(response)
            problems.append(problem)
        elif rows is not None and rows.rows == 0:
            empty.append(replay)
    attach_json(f"{record.name} searched and filtered as {who}",
                {"own tenant": sorted(own), "replays": seen, "no probe value": missing})
    expect.no_problems(problems, f"{record.name} searches and filters as {who}")
    if empty or missing:
        expect.unverified(isolation.unproven_what(record.name, empty, missing, who),
                          isolation.unproven_fix(record.name,
                                                 [*(r.param for r in empty), *missing]))
