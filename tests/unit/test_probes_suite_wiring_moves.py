"""Logic moved out of suites/ (ARCHITECTURE.md: a check is wiring and one judgement): the
pilot/refused comparisons, the throwaway login, the canary submission and logged-in journey,
the log settle wait, the backup copy plan and the load-budget verdict — over mocked HTTP,
temporary files and plain values."""

import httpx
import pytest

from staging_gate.deployment.commands import CommandFailed
from staging_gate.deployment.connections import MysqlDsn
from staging_gate.deployment.sessions import LoginFailed, logged_in
from staging_gate.probes import backup, logs, production
from staging_gate.probes.load_baseline import RunFigures, budget_verdict
from staging_gate.probes.performance import BudgetRule, RequestStats
from staging_gate.profile import BackupSection, LoadBaseline, ProductionSection, RoutesSection

FORM = '<form><input type="hidden" name="_token" value="tok-1"></form>'
NOT_FOUND = "<h1>Not Found</h1>"
ROUTES = RoutesSection(portal="/portal", portal_paths=("/portal",),
                       portal_api_paths=("/api/portal/calls",), portal_login="/login",
                       portal_logout="/logout")


def site(answers: dict[tuple[str, str], httpx.Response], seen: list[str] | None = None
         ) -> httpx.Client:
    """(METHOD, path) -> response; anything else a plain 404; every request noted in `seen`."""
    def answer(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(f"{request.method} {request.url.path}")
        return answers.get((request.method, request.url.path),
                           httpx.Response(404, text=NOT_FOUND))
    return httpx.Client(transport=httpx.MockTransport(answer), base_url="http://127.0.0.1")


# --- pilot rollout (probes/production.py) -------------------------------------------------------

def test_refused_paths_that_answer_like_a_missing_page_pass():
    assert production.refused_problems(site({}), "anonymous visitor", ROUTES,
                                       ProductionSection()) == []


def test_a_refused_path_that_shows_itself_is_named_with_who_saw_it():
    client = site({("GET", "/portal"): httpx.Response(404, text="Portal coming soon")})
    problems = production.refused_problems(client, "non-pilot user (b)", ROUTES,
                                           ProductionSection())
    assert len(problems) == 1 and problems[0].startswith("non-pilot user (b): ")


def test_the_pilot_user_must_get_every_portal_path():
    client = site({("GET", "/portal"): httpx.Response(200, text="ok")})
    problems = production.pilot_problems(client, "pilot user (a)", ROUTES)
    assert len(problems) == 1
    assert problems[0].startswith("pilot user (a): ")
    assert problems[0].endswith(", expected the portal") and "404" in problems[0]


# --- throwaway login (sessions.logged_in) ------------------------------------------------------

def login_site(seen: list[str], login_status: int = 302) -> httpx.Client:
    return site({("GET", "/login"): httpx.Response(200, text=FORM),
                 ("POST", "/login"): httpx.Response(login_status,
                                                    headers={"location": "/portal"}),
                 ("GET", "/portal"): httpx.Response(200, text=FORM),
                 ("POST", "/logout"): httpx.Response(302)}, seen)


def test_logged_in_logs_out_after_the_block_even_when_it_fails():
    seen: list[str] = []
    with pytest.raises(RuntimeError), \
            logged_in(login_site(seen), "/login", "a@x.test", "pw", "/portal", "/logout"):
        assert seen == ["GET /login", "POST /login"]
        raise RuntimeError("the check failed")
    assert seen[-1] == "POST /logout"


def test_logged_in_raises_login_failed_before_the_block():
    seen: list[str] = []
    with pytest.raises(LoginFailed), \
            logged_in(login_site(seen, 200), "/login", "a@x.test", "pw", "/portal", "/logout"):
        pytest.fail("the block must not run")
    assert "POST /logout" not in seen


# --- the canary and the journey (probes/logs.py) ---------------------------------------------

def test_submit_canary_posts_it_and_says_what_happened():
    canary = logs.Canary.new("abcdef123456")
    seen: list[str] = []
    assert logs.submit_canary(login_site(seen), "/login", canary) == "POST /login → 302 /portal"
    assert seen == ["GET /login", "POST /login"]


def test_submit_canary_without_a_token_is_not_submitted():
    assert logs.submit_canary(site({}), "/login", logs.Canary.new()).startswith(
        "/login: not submitted (GET /login answered 404")


def test_portal_journey_visits_every_portal_path_then_logs_out():
    seen: list[str] = []
    visited = logs.portal_journey(login_site(seen), ROUTES)
    assert visited == ["GET /portal → 200", "GET /api/portal/calls → 404"]
    assert seen[-2:] == ["GET /portal", "POST /logout"]


def test_wait_for_new_lines_returns_at_once_when_the_log_grew(tmp_path):
    log = tmp_path / "laravel.log"
    log.write_text("old line\n")
    mark = logs.mark_log(str(log), ())
    log.write_text("old line\nnew line\n")
    assert logs.wait_for_new_lines(mark, str(log), (), settle_seconds=5).text == "new line\n"


def test_wait_for_new_lines_gives_up_after_the_settle_time(tmp_path):
    log = tmp_path / "laravel.log"
    log.write_text("old line\n")
    mark = logs.mark_log(str(log), ())
    assert logs.wait_for_new_lines(mark, str(log), (), settle_seconds=0.05,
                                   poll_seconds=0.01).text == ""


def test_wait_for_new_lines_without_a_log_raises_command_failed():
    with pytest.raises(CommandFailed):
        logs.wait_for_new_lines(logs.LogMark("none"), None, (), settle_seconds=0)


# --- the backup copy plan (probes/backup.py) -------------------------------------------------

COPY = MysqlDsn("127.0.0.1", 3306, "gate", "secret", "")


def test_copy_plan_uses_the_profiles_restore_command_with_its_own_env():
    settings = BackupSection(dump_command=("mysqldump", "app"), restore_command=("restore",),
                             timeout_seconds=60)
    assert backup.copy_plan(settings, COPY) == backup.CopyPlan(
        ("mysqldump", "app"), ("restore",), None, 60)


def test_copy_plan_falls_back_to_the_local_client_over_the_scratch_dsn():
    plan = backup.copy_plan(BackupSection(dump_command=("mysqldump", "app")), COPY)
    assert plan.restore_command == backup.client_restore_command(COPY)
    assert plan.restore_env == backup.client_env(COPY)


# --- the load-budget verdict (probes/load_baseline.py) ----------------------------------------

API = BudgetRule("api", 500, ("/api/portal/calls",), subpaths=True)
HISTORY = [RunFigures("GO", f"2026-11-0{i}T00:00:00+00:00", {"GET /api/portal/calls": 100.0})
           for i in range(1, 4)]


def calls(p95: float) -> list[RequestStats]:
    return [RequestStats("GET", "/api/portal/calls", 50, 0, p95, exact=True),
            RequestStats("GET", "/", 50, 0, 9000.0, exact=True)]


def test_budget_verdict_covers_only_its_rule_and_judges_the_budget():
    verdict = budget_verdict(calls(700.0), API, 0.0, [], LoadBaseline())
    assert [s.name for s in verdict.covered] == ["/api/portal/calls"]
    assert len(verdict.problems) == 1 and "500" in verdict.problems[0]
    assert verdict.advisory == []


def test_a_slowdown_is_advisory_unless_the_baseline_blocks():
    advisory = budget_verdict(calls(400.0), API, 0.0, HISTORY, LoadBaseline(blocking=False))
    assert advisory.problems == [] and len(advisory.advisory) == 1
    blocking = budget_verdict(calls(400.0), API, 0.0, HISTORY, LoadBaseline(blocking=True))
    assert blocking.problems == advisory.advisory and blocking.advisory == []
