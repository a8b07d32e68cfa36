"""P3.2, P3.4–P3.6: the portal feature flag — routes registered when on, invisible (404) when
off for everyone, switchable through the profile's toggle, and restored afterwards (the
`flags` fixture restores and fails the check if the flag does not come back)."""

import pytest

from staging_gate import expect
from staging_gate.probes.http_checks import (
    is_login_redirect,
    not_found_violations,
    observe,
    until_settled,
)

pytestmark = pytest.mark.exclusive


@pytest.mark.usefixtures("portal_on")
def test_P3_2_portal_routes_registered(anonymous, observe_paths, portal_surface, profile):
    """With the flag on, every portal page and API path exists: not 404, no server error."""
    seen = observe_paths(anonymous, portal_surface)
    expect.no_problems(
        [f"{o.describe()}" for o in seen if o.status == 404 or o.status >= 500],
        f"portal routes with {profile.flags.portal_flag} on (expected registered, answering)",
    )


@pytest.mark.parametrize("audience", ["anonymous", "tenant"])
def test_P3_4_portal_paths_404_when_flag_off(
    audience, request, flags, observe_paths, portal_surface, profile
):
    """With the flag off, /portal and every portal page and API path answer 404 for everyone."""
    client = (
        request.getfixturevalue("anonymous")
        if audience == "anonymous"
        else next(iter(request.getfixturevalue("tenants").values()))
    )
    paths = portal_surface
    flags.set(profile.flags.portal_flag, False)
    seen = until_settled(
        lambda: observe_paths(client, paths),
        lambda observed: not not_found_violations(observed),
        profile.flags.settle_seconds,
    )
    expect.no_problems(
        [f"{o.describe()}, expected 404" for o in not_found_violations(seen)],
        f"{profile.flags.portal_flag} off, {audience} user "
        f"(after {profile.flags.settle_seconds:g} s)",
    )


def test_P3_5_flag_toggle_takes_effect(anonymous, flags, profile):
    """Switching the flag through the profile's toggle turns the portal off (404) and on again."""
    flag, wait = profile.flags.portal_flag, profile.flags.settle_seconds
    portal = profile.routes.portal

    def look():
        return observe(anonymous.get(portal))

    flags.set(flag, False)
    off = until_settled(look, lambda seen: seen.status == 404, wait)
    expect.that(
        off.status == 404,
        f"after switching {flag} off, {off.describe()} for {wait:g} s (expected 404): "
        "the toggle has no effect on the running app",
    )
    flags.set(flag, True)
    on = until_settled(look, lambda seen: seen.status != 404, wait)
    expect.that(
        on.status != 404 and on.status < 500,
        f"after switching {flag} on, {on.describe()} for {wait:g} s: the portal did not come back",
    )


@pytest.mark.usefixtures("portal_on")
def test_P3_6_portal_accessible_when_flag_on(
    anonymous, tenants, observe_paths, portal_surface, profile
):
    """With the flag on, anonymous users meet the login wall and a tenant user gets the portal."""
    routes = profile.routes
    problems = []
    for seen in observe_paths(anonymous, portal_surface):
        if seen.path.split("?")[0] in profile.routes.portal_api_paths:
            if seen.status not in (401, 403):
                problems.append(f"anonymous {seen.describe()}, expected 401")
        elif not is_login_redirect(seen, routes.portal_login):
            problems.append(f"anonymous {seen.describe()}, expected a redirect to login")
    for key, client in tenants.items():
        seen = observe(client.get(routes.portal))
        if seen.status != 200:
            problems.append(f"tenant {key}: {seen.describe()}, expected 200 (the dashboard)")
    expect.no_problems(problems, f"portal with {profile.flags.portal_flag} on")
