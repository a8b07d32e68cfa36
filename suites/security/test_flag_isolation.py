"""P5.6: the portal feature flag blocks all access when disabled — every portal page, API
path, the login form and every record detail harvested while it was on answer 404, for
anonymous users and logged-in tenants alike. The `flags` fixture restores the flag."""

import pytest

from staging_gate import expect
from staging_gate.deployment.flags import FlagDidNotSettle
from staging_gate.evidence import attach_json
from staging_gate.probes import records
from staging_gate.probes.http_checks import not_found_violations, observe, until_settled

pytestmark = pytest.mark.exclusive


@pytest.mark.parametrize("audience", ["anonymous", "tenant"])
def test_P5_6_flag_off_hides_every_portal_path(audience, request, flags, profile):
    """With the portal flag off, the whole portal surface (records included) answers 404."""
    flag, wait = profile.flags.portal_flag, profile.flags.settle_seconds
    try:
        flags.ensure(flag, True)  # the records are harvested while the portal is on
    except FlagDidNotSettle as error:
        pytest.fail(str(error), pytrace=False)
    harvested = request.getfixturevalue("harvested")  # ids read while the portal is on
    client = request.getfixturevalue(audience if audience == "anonymous" else "tenants")
    if audience == "tenant":
        client = client[profile.tenants[0].key]
    paths = records.portal_surface(profile.routes, harvested.values())
    attach_json("record ids harvested while on", [h.evidence() for h in harvested.values()])
    flags.set(flag, False)
    seen = until_settled(
        lambda: [observe(client.get(path)) for path in paths],
        lambda observed: not not_found_violations(observed),
        wait,
    )
    attach_json(f"{flag} off, {audience}", [o.describe() for o in seen])
    expect.no_problems(
        [f"{o.describe()}, expected 404" for o in not_found_violations(seen)],
        f"{flag} off, {audience} user, {len(paths)} portal paths (after {wait:g} s)",
    )
