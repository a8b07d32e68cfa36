"""P5.3: CSRF protection — every state-changing form the profile lists rejects a POST without
a token and one carrying a token from another session. Logout is tried on a throwaway login,
so the shared tenant sessions stay logged in; posted values are harmless by design. Forged
requests are active probes: marked `active`, they run only where the guard confirms staging."""

import contextlib

import httpx
import pytest

from staging_gate import expect
from staging_gate.evidence import attach_response
from staging_gate.probes import security
from staging_gate.probes.http_checks import observe
from staging_gate.sessions import LoginFailed, csrf_token, login, logout

pytestmark = pytest.mark.active


@contextlib.contextmanager
def _session_for(form, target, request):
    """The client that submits `form`: anonymous, a throwaway tenant login, or the admin."""
    profile = target.profile
    if form.session == "admin":
        if profile.admin is None:
            pytest.fail(f"CSRF form {form.name!r} needs an admin session, but the profile has "
                        "no [admin] to log in as", pytrace=False)
        yield request.getfixturevalue("admin")
        return
    with target.client() as client:
        if form.session == "tenant":
            if not profile.tenants:
                pytest.fail(f"CSRF form {form.name!r} needs a tenant session, but the profile "
                            "lists no [[tenants]] to log in as", pytrace=False)
            tenant = profile.tenants[0]
            try:
                login(client, profile.routes.portal_login, profile.secret(tenant.email_env),
                      profile.secret(tenant.password_env))
            except LoginFailed as error:
                pytest.fail(f"throwaway login for {form.name} failed: {error}", pytrace=False)
        try:
            yield client
        finally:
            if form.session == "tenant":
                with contextlib.suppress(httpx.HTTPError):
                    logout(client, profile.routes.portal, profile.routes.portal_logout)


def _foreign_token(target, profile) -> str:
    """A valid token — of another, fresh session."""
    with target.client() as stranger:
        return csrf_token(stranger, profile.routes.portal_login)


@pytest.mark.parametrize("variant", ["missing", "foreign"])
def test_P5_3_forms_reject_bad_csrf_token(variant, target, profile, request):
    """POSTs without a token, or with another session's token, are refused (419)."""
    expected = profile.security.csrf_status
    expect.that(bool(profile.security.csrf_forms),
                "profile lists no security.csrf_forms; nothing to check")
    problems = []
    for form in profile.security.csrf_forms:
        with _session_for(form, target, request) as client:
            client.get(form.page)  # the session the form belongs to exists
            data = dict(form.fields)
            if variant == "foreign":
                data["_token"] = _foreign_token(target, profile)
            response = client.post(form.action, data=data)
            attach_response(response, f"{form.name}: {variant} token → {response.status_code}")
            problem = security.csrf_problem(
                form.name, observe(response), variant, expected
            )
            problems += [problem] if problem else []
    expect.no_problems(problems, f"state-changing forms with a {variant} CSRF token")
