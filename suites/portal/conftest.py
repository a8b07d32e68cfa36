"""Phase 4 wiring: a browser page logged in as the profile's first tenant (fresh context per
test); the profile's `[portal]` contract; an `Oracle` running the profile's SQL read-only for
that tenant's company (as `[portal].company_sql` finds it)."""

import contextlib
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from staging_gate import expect
from staging_gate.probes import portal
from staging_gate.probes.portal_pages import PageProblem, log_in, log_out

PAGE_TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    try:
        return (yield)
    except PageProblem as problem:
        pytest.fail(str(problem), pytrace=False)


@pytest.fixture
def tenant(profile):
    if not profile.tenants:
        pytest.skip("profile lists no [[tenants]] to log in as")
    return profile.tenants[0]


@pytest.fixture
def contract(profile):
    """The `[portal]` section: pages described as data (preset merged under the profile)."""
    return profile.portal


@pytest.fixture
def oracle(db, profile, tenant) -> portal.Oracle:
    """The profile's SQL for the tenant's company; `today` as the database knows it."""
    run = portal.Oracle(portal.read_only_runner(db))
    email = profile.secret(tenant.email_env)
    run.company = expect.present(
        portal.company_of(run, profile.portal.company_sql, email),
        f"tenant {tenant.key} (${tenant.email_env}) has no company: [portal].company_sql "
        "returned no row",
    )
    run.today = portal.today(run, profile.portal.today_sql)
    return run


@pytest.fixture
def portal_page(page, profile, tenant) -> Iterator[Page]:
    """`page` logged in through the real login form; logged out when the test ends."""
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        log_in(page, profile.routes.portal_login, profile.secret(tenant.email_env),
               profile.secret(tenant.password_env))
    except PageProblem as problem:
        pytest.fail(f"browser login as ${tenant.email_env}: {problem}", pytrace=False)
    yield page
    with contextlib.suppress(Exception):  # the context closes anyway; the session expires
        log_out(page, profile.portal.logout_selector)
