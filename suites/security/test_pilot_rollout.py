"""P5.6 (pilot rollout, seed Part 6.1 Phase 2 and Part 8.3): with the portal flag on and the
pilot list set to the profile's pilot companies, a pilot company's user gets the portal, while
another company's user and anonymous visitors get exactly the flag-off answer — what a page
that does not exist answers. The pilot list and the flag are put back afterwards, also when
the check fails (`staging_gate.deployment.pilot.pilot_rollout`, the `flags` fixture)."""

import pytest

from staging_gate import expect
from staging_gate.deployment.flags import FlagDidNotSettle
from staging_gate.deployment.pilot import PilotSwitch, missing_pilot_keys, pilot_rollout
from staging_gate.evidence import attach_json
from staging_gate.probes import production
from staging_gate.probes.http_checks import until_settled

pytestmark = pytest.mark.exclusive


def test_P5_6_pilot_list_limits_portal_to_pilot_companies(request, flags, target, profile):
    """Pilot users get the portal; other companies' users and anonymous visitors get the
    flag-off answer, byte for byte; the pilot list is restored afterwards."""
    config = profile.flags
    missing = missing_pilot_keys(config)
    if missing:
        expect.unverified("the profile describes no pilot rollout to check",
                          "set " + ", ".join(missing))
    try:
        flags.ensure(config.portal_flag, True)
    except FlagDidNotSettle as error:
        pytest.fail(str(error), pytrace=False)
    tenants = request.getfixturevalue("tenants")  # logged in while the portal is open to all
    pilot, other = tenants[config.pilot_tenant], tenants[config.non_pilot_tenant]
    anonymous = request.getfixturevalue("anonymous")
    audiences = f"pilot {config.pilot_tenant}, non-pilot {config.non_pilot_tenant}, anonymous"

    def look() -> list[str]:
        routes, where = profile.routes, profile.production
        return (production.pilot_problems(pilot, f"pilot user ({config.pilot_tenant})", routes)
                + production.refused_problems(
                    other, f"non-pilot user ({config.non_pilot_tenant})", routes, where)
                + production.refused_problems(anonymous, "anonymous visitor", routes, where))

    value = ",".join(config.pilot_companies)
    with pilot_rollout(PilotSwitch(target), config.pilot_companies):
        problems = until_settled(look, lambda found: not found, config.settle_seconds)
    attach_json("pilot rollout", {"setting": config.pilot_setting, "value": value,
                                  "audiences": audiences, "problems": problems})
    expect.no_problems(problems, f"{config.pilot_setting}={value} with {config.portal_flag} on "
                                 f"(after {config.settle_seconds:g} s)")
