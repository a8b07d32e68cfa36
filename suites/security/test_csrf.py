"""P5.3: CSRF protection — every state-changing form the profile lists rejects a POST without
a token and one carrying a token from another session. Logout is tried on a throwaway login,
so the shared tenant sessions stay logged in; posted values are harmless by design. Forged
requests are active probes: marked `active`, they run only where the guard confirms staging."""

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import httpx
import pytest

from staging_gate import expect
from staging_gate.deployment.sessions import LoginFailed, csrf_token, logged_in
from staging_gate.evidence import attach_response
from staging_gate.probes import security
from staging_gate.probes.http_checks import observe
from staging_gate.profile import CsrfForm

pytestmark = pytest.mark.active


@pytest.fixture
def session_for(target, request) -> Callable[[CsrfForm], AbstractContextManager[httpx.Client]]:
    """For a form: the client that submits it — anonymous, a throwaway tenant login (logged
    out afterwards, so the shared tenant sessions stay logged in), or the admin."""
    profile = target.profile

    @contextlib.contextmanager
    def session(form: CsrfForm) -> Iterator[httpx.Client]:
        if form.session == "admin":
            if profile.admin is None:
                pytest.fail(f"CSRF form {form.name!r} needs an admin session, but the profile "
                            "has no [admin] to log in as", pytrace=False)
            yield request.getfixturevalue("admin")
            return
        with target.client() as client, contextlib.ExitStack() as throwaway:
            if form.session == "tenant":
                if not profile.tenants:
                    pytest.fail(f"CSRF form {form.name!r} needs a tenant session, but the "
                                "profile lists no [[tenants]] to log in as", pytrace=False)
                tenant, routes = profile.tenants[0], profile.routes
                try:
                    throwaway.enter_context(logged_in(
                        client, routes.portal_login, profile.secret(tenant.email_env),
                        profile.secret(tenant.password_env), routes.portal, routes.portal_logout))
                except LoginFailed as error:
                    pytest.fail(f"throwaway login for {form.name} failed: {error}",
                                pytrace=False)
            yield client

    return session


@pytest.mark.parametrize("variant", ["missing", "foreign"])
def test_P5_3_forms_reject_bad_csrf_token(variant, target, profile, session_for):
    """POSTs without a token, or with another session's token, are refused (419)."""
    expected = profile.security.csrf_status
    expect.that(bool(profile.security.csrf_forms),
                "profile lists no security.csrf_forms; nothing to check")
    problems = []
    for form in profile.security.csrf_forms:
        with session_for(form) as client:
            client.get(form.page)  # the session the form belongs to exists
            data = dict(form.fields)
            if variant == "foreign":
                with target.client() as stranger:  # a valid token of another, fresh session
                    data["_token"] = csrf_token(stranger, profile.routes.portal_login)
            response = client.post(form.action, data=data)
            attach_response(response, f"{form.name}: {variant} token → {response.status_code}")
            problem = security.csrf_problem(
                form.name, observe(response), variant, expected
            )
            problems += [problem] if problem else []
    expect.no_problems(problems, f"state-changing forms with a {variant} CSRF token")
