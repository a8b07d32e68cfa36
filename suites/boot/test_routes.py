"""P3.1, P3.3: the application boots — key routes answer without 5xx, the admin panel is up."""

from staging_gate import expect
from staging_gate.evidence import attach_response
from staging_gate.probes.http_checks import is_login_redirect, observe, server_errors


def test_P3_1_key_routes_answer_without_5xx(anonymous, observe_paths, profile):
    """Every key route answers below 500: the release boots and its routes resolve."""
    expect.that(bool(profile.routes.key_routes),
                "profile lists no routes.key_routes; nothing to check")
    seen = observe_paths(anonymous, profile.routes.key_routes)
    expect.no_problems(
        [f"{o.describe()}, expected no server error" for o in server_errors(seen)],
        f"key routes on {profile.target.base_url}",
    )


def test_P3_3_admin_panel_reachable(anonymous, profile):
    """The admin login form renders, and the admin panel sends anonymous users to it."""
    routes = profile.routes
    login_page = anonymous.get(routes.admin_login)
    attach_response(login_page)
    panel = observe(anonymous.get(routes.admin))
    problems = []
    if login_page.status_code != 200 or 'type="password"' not in login_page.text:
        problems.append(
            f"GET {routes.admin_login} answered {login_page.status_code}, "
            "expected 200 with a password form"
        )
    if not is_login_redirect(panel, routes.admin_login):
        problems.append(f"{panel.describe()}, expected a redirect to {routes.admin_login}")
    expect.no_problems(problems, "admin panel")
