"""Phase 5 wiring: two tenants (owner of the records, and the one replaying them), and the
record ids harvested as the owner — bounded by security.max_ids_per_resource."""

import pytest

from staging_gate import expect
from staging_gate.evidence import attach_json, attach_response
from staging_gate.probes import records
from staging_gate.probes.records import Harvest
from staging_gate.run.plugin import gate_profile


@pytest.fixture(scope="session")
def owner_and_other(profile, tenants) -> tuple[str, str]:
    """Keys of the tenant who owns the harvested records and of the tenant replaying them."""
    if len(profile.tenants) < 2:
        pytest.fail("tenant isolation needs two [[tenants]] in the profile", pytrace=False)
    return profile.tenants[0].key, profile.tenants[1].key


@pytest.fixture(scope="session")
def harvested(profile, tenants, owner_and_other) -> dict[str, Harvest]:
    """Record ids per resource, read as the owning tenant (API list and HTML list)."""
    owner = tenants[owner_and_other[0]]
    limit = profile.security.max_ids_per_resource
    missing = profile.security.missing_id
    found = {}
    for resource in profile.security.records:
        try:
            found[resource.name] = records.harvest_ids(owner, resource, limit, missing)
        except records.HarvestFailed as failed:
            for response in failed.responses:
                attach_response(response)
            if failed.fix is not None:
                expect.unverified(str(failed), failed.fix)
            pytest.fail(str(failed), pytrace=False)
    return found


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
