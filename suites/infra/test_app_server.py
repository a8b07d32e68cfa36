"""P1.4: the application server (behind nginx) processes requests."""

from staging_gate import expect
from staging_gate.evidence import attach_response
from staging_gate.probes.http_checks import dynamic_signals


def test_P1_4_app_serves_dynamic_route(target, profile):
    """A dynamic route is answered by the app itself, not by nginx alone (502) or a static file."""
    path = profile.routes.admin_login
    responses = []
    for _ in range(2):
        with target.client() as fresh:
            responses.append(fresh.get(path))
    for response in responses:
        attach_response(response)
    first, second = responses
    expect.that(
        first.status_code < 500 and second.status_code < 500,
        f"GET {target.url(path)} answered {first.status_code}/{second.status_code}: "
        "the application server behind the vhost is not processing requests",
    )
    expect.that(
        bool(dynamic_signals(first, second)),
        f"GET {target.url(path)} answered the same bytes twice with no cookies or private "
        "caching: the vhost looks like it serves a static page instead of the application",
    )
