"""Phase 5 wiring: two tenants (owner of the records, and the one replaying them), and the
record ids harvested as the owner — bounded by security.max_ids_per_resource."""

from dataclasses import dataclass

import httpx
import pytest

from staging_gate import expect
from staging_gate.evidence import attach_json, attach_response
from staging_gate.plugin import gate_profile
from staging_gate.probes import security
from staging_gate.profile import RecordResource


@dataclass(frozen=True)
class Harvest:
    resource: RecordResource
    ids: list[str]
    companies: list[str]
    missing_id: str

    def detail_paths(self) -> list[tuple[str, bool]]:
        """(path, is_api) for every harvested id, API and HTML detail page."""
        paths = []
        for record_id in self.ids:
            paths.append((self.resource.api_detail.format(id=record_id), True))
            paths.append((self.resource.page_detail.format(id=record_id), False))
        return paths

    def replay_paths(self) -> list[tuple[str, bool]]:
        """(path, is_api) for everything the owner read: both lists and every detail."""
        lists = [(self.resource.api_list, True), (self.resource.page_list, False)]
        return lists + self.detail_paths()

    def evidence(self) -> dict[str, object]:
        return {"resource": self.resource.name, "ids": self.ids, "companies": self.companies,
                "missing_id": self.missing_id}


@pytest.fixture(scope="session")
def owner_and_other(profile, tenants) -> tuple[str, str]:
    """Keys of the tenant who owns the harvested records and of the tenant replaying them."""
    if len(profile.tenants) < 2:
        pytest.fail("tenant isolation needs two [[tenants]] in the profile", pytrace=False)
    return profile.tenants[0].key, profile.tenants[1].key


def harvest_ids(client: httpx.Client, resource: RecordResource, limit: int,
                missing: str = "") -> Harvest:
    """Ids (strings: integers, UUIDs, ULIDs) from the API list and the HTML list; an id of
    their shape that no record has. Both lists answering 200 without ids is "could not
    verify" naming the profile keys; a list that does not answer 200 fails."""
    api = client.get(resource.api_list)
    page = client.get(resource.page_list)
    payload = api.json() if api.status_code == 200 else None
    ids = security.api_ids(payload) + security.html_ids(
        page.text, resource.id_attribute, resource.id_pattern
    )
    companies = sorted(set(security.api_ids(payload, resource.company_field)))
    if api.status_code == 200 and page.status_code == 200 and not ids:
        attach_response(api)
        attach_response(page)
        expect.unverified(
            f"no {resource.name} ids found in GET {resource.api_list} (field id) or GET "
            f"{resource.page_list} (attribute {resource.id_attribute!r})",
            f"correct [security] records {resource.name}: id_attribute / id_pattern, or give "
            "the owning tenant records",
        )
    if api.status_code != 200 or page.status_code != 200 or not ids:
        attach_response(api)
        attach_response(page)
        pytest.fail(
            f"no {resource.name} ids to replay: GET {resource.api_list} answered "
            f"{api.status_code}, GET {resource.page_list} answered {page.status_code} "
            f"({len(ids)} ids found)",
            pytrace=False,
        )
    kept = security.bounded_ids(ids, limit)
    return Harvest(resource, kept, companies, security.missing_id(kept, missing))


@pytest.fixture(scope="session")
def harvested(profile, tenants, owner_and_other) -> dict[str, Harvest]:
    """Record ids per resource, read as the owning tenant (API list and HTML list)."""
    owner = tenants[owner_and_other[0]]
    limit = profile.security.max_ids_per_resource
    missing = profile.security.missing_id
    return {r.name: harvest_ids(owner, r, limit, missing) for r in profile.security.records}


@pytest.fixture
def harvest(request) -> Harvest:
    """The harvest of the resource this check is parametrized with; attached as evidence.
    Without any resource in the profile the check fails (it would otherwise be skipped)."""
    if request.param is None:
        pytest.fail("profile lists no security.records; nothing to check", pytrace=False)
    found: Harvest = request.getfixturevalue("harvested")[request.param]
    attach_json(f"harvested {found.resource.name} ids", found.evidence())
    return found


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Checks taking `harvest` run once per record resource of the profile — and once, to fail,
    when it lists none (an empty parameter set would make pytest skip them)."""
    if "harvest" in metafunc.fixturenames:
        records = gate_profile(metafunc.config).security.records
        params: list[object] = [r.name for r in records]
        metafunc.parametrize(
            "harvest", params or [pytest.param(None, id="no-records")], indirect=True
        )
