"""P5.1 through every search and filter parameter: the other tenant's lists, searched and
filtered with values every tenant's records match, on the API and the HTML page, show only
its own tenant's rows (each row judged by its own tenant field, or - a page that shows no
tenant - by its owner in the database, `[portal.<name>.sql].owned`). A list can be scoped
while a search over it is not; see `staging_gate.probes.isolation`."""

from collections.abc import Callable

import httpx
import pytest

from staging_gate import expect
from staging_gate.evidence import attach_json, attach_response
from staging_gate.plugin import gate_profile
from staging_gate.probes import isolation, portal
from staging_gate.profile import RecordResource

Judge = Callable[[isolation.ListedRows], isolation.ListedRows]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Once per record type of the profile (once, to fail, when it lists none)."""
    if "record" in metafunc.fixturenames:
        records = gate_profile(metafunc.config).security.records
        metafunc.parametrize("record", list(records) or [None],
                             ids=[r.name for r in records] or ["no-records"])


def listed(response: httpx.Response, record: RecordResource,
           surface: isolation.Surface, by_owner: Judge | None = None,
           ) -> isolation.ListedRows | None:
    if response.status_code != 200:
        return None
    if surface == "page":
        rows = isolation.ListedRows.from_page(response.text, record.id_attribute,
                                              record.company_attribute, record.id_pattern)
        return by_owner(rows) if by_owner is not None else rows
    try:
        return isolation.ListedRows.from_api(response.json(), record.company_field)
    except ValueError:
        return None


def owner_judge(request: pytest.FixtureRequest, profile, record: RecordResource,
                who: str) -> Judge | None:
    """For a page that shows no tenant per row: rows judged by the profile's ownership SQL
    (`[portal.<record name>.sql].owned`) for `who`'s company (`[portal].company_sql`)."""
    if record.company_attribute:
        return None
    key = f"[portal.{record.name}.sql].owned"
    pages = getattr(profile.portal, record.name, None)
    sql = getattr(getattr(pages, "sql", None), "owned", "")
    if not sql:
        expect.unverified(
            f"the {record.name} page shows no tenant per row and {key} is not set",
            f"set company_attribute of security.records ({record.name!r}), or {key}")
    oracle = portal.Oracle(portal.read_only_runner(request.getfixturevalue("db")))
    tenant = next(t for t in profile.tenants if t.key == who)
    company = expect.present(
        portal.company_of(oracle, profile.portal.company_sql, profile.secret(tenant.email_env)),
        f"tenant {who} has no company: [portal].company_sql returned no row")
    oracle.company = company

    def judge(rows: isolation.ListedRows) -> isolation.ListedRows:
        return rows.judged_by_owner(oracle.owned(key, sql, rows.ids), str(company))
    return judge


def test_P5_1_searches_and_filters_show_only_own_records(record, tenants, owner_and_other,
                                                         profile, request):
    """Every search and filter parameter, API and page, lists only the tenant's own rows."""
    expect.that(record is not None, "profile lists no security.records; nothing to check")
    who = owner_and_other[1]
    client = tenants[who]
    by_owner = owner_judge(request, profile, record, who)
    plain = [listed(client.get(record.api_list), record, "api"),
             listed(client.get(record.page_list), record, "page", by_owner)]
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
        rows = listed(response, record, replay.surface, by_owner)
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
