"""The release decision computed from allure results: GO / NO-GO rules and the written files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import cast

import pytest

from staging_gate.errors import ConfigError
from staging_gate.profile import PHASES, PhaseName, SignoffSection, Waiver
from staging_gate.verdict.signoff import (
    Signoff,
    compute_signoff,
    format_summary_table,
    mark_interrupted,
    read_signoff,
    write_signoff,
)
from staging_gate.verdict.signoff_markdown import render_markdown
from tests.allure_factory import write_healthy_phase, write_result

TODAY = dt.date(2026, 3, 10)
ALL_PHASE_PREFIXES = ("P1", "P2", "P3", "P4", "P5", "P6", "P7")


@pytest.fixture
def results(tmp_path: Path) -> Path:
    return tmp_path / "allure-results"


def healthy_run(results: Path, *, except_phase: str | None = None) -> None:
    for prefix in ALL_PHASE_PREFIXES:
        if prefix != except_phase:
            write_healthy_phase(results, prefix)


def signoff_of(results: Path, config: SignoffSection | None = None, **kwargs: object) -> Signoff:
    return compute_signoff(results, config or SignoffSection(), today=TODAY, **kwargs)  # type: ignore[arg-type]


def advisory(*phases: str) -> SignoffSection:
    """Every phase required (the default) except ``phases``."""
    required = tuple(p for p in PHASES if p not in phases)
    return SignoffSection(required_phases=cast(tuple[PhaseName, ...], required))


def status_of(signoff: Signoff, test_name: str) -> str:
    return next(c.status for c in signoff.checks if c.name == test_name)


# -- required and advisory phases --------------------------------------------------------


def test_healthy_full_run_is_go_with_every_phase_counted(results: Path) -> None:
    healthy_run(results)

    signoff = signoff_of(results)

    assert signoff.verdict == "GO", signoff.reasons
    assert not signoff.partial
    assert [p.phase for p in signoff.phases] == list(PHASES)
    assert signoff.phase("infra").counts.passed == 7
    assert signoff.phase("security").counts.passed == 6
    assert all(p.status == "passed" for p in signoff.phases)
    assert len(signoff.checks) == 38


@pytest.mark.parametrize("status", ["failed", "broken"])
def test_failure_in_required_phase_is_no_go_naming_check_and_message(
    results: Path, status: str
) -> None:
    healthy_run(results)
    write_result(results, "P2.2", status, what="pending", message="1 migration pending: 2024_x")

    signoff = signoff_of(results)

    assert signoff.verdict == "NO-GO"
    assert signoff.phase("database").status == "failed"
    assert signoff.phase("database").blocking
    assert len(signoff.reasons) == 1
    reason = signoff.reasons[0]
    assert "P2.2" in reason and status in reason and "1 migration pending" in reason


def test_failure_in_advisory_phase_is_shown_but_never_blocks(results: Path) -> None:
    healthy_run(results)
    write_result(results, "P6.4", "failed", what="api", message="p95 812 ms > 500 ms")
    config = SignoffSection(required_phases=("infra", "database"))

    signoff = signoff_of(results, config)

    assert signoff.verdict == "GO"
    performance = signoff.phase("performance")
    assert (performance.status, performance.required, performance.blocking) == (
        "failed",
        False,
        False,
    )
    assert performance.counts.failed == 1


def test_required_phase_follows_the_profile(results: Path) -> None:
    healthy_run(results)
    write_result(results, "P6.4", "failed", what="api", message="p95 812 ms > 500 ms")

    signoff = signoff_of(results, SignoffSection(required_phases=("performance",)))

    assert signoff.verdict == "NO-GO"
    assert "P6.4" in signoff.reasons[0]


# -- waivers ---------------------------------------------------------------------------------


def waiver(expires: dt.date, check_id: str = "P2.5") -> Waiver:
    return Waiver(id=check_id, reason="seed data lands Friday", owner="qa-lead", expires=expires)


@pytest.mark.parametrize(
    ("expires", "verdict", "status", "state"),
    [
        (TODAY + dt.timedelta(days=3), "GO", "waived", "applied"),
        (TODAY, "GO", "waived", "applied"),  # the expiry date itself is still covered
        (TODAY - dt.timedelta(days=1), "NO-GO", "failed", "expired"),
    ],
    ids=["before-expiry", "on-expiry-day", "after-expiry"],
)
def test_waiver_covers_a_failure_until_it_expires(
    results: Path, expires: dt.date, verdict: str, status: str, state: str
) -> None:
    healthy_run(results)
    write_result(results, "P2.5", "failed", what="seed", message="companies: 1 row, want 3")

    signoff = signoff_of(results, SignoffSection(waivers=(waiver(expires),)))

    assert signoff.verdict == verdict
    assert status_of(signoff, "test_P2_5_seed") == status
    assert signoff.waivers[0].use == state
    assert signoff.waivers[0].checks == ("P2.5 test_P2_5_seed",)
    if verdict == "NO-GO":
        assert f"expired on {expires}" in signoff.reasons[0]
        assert "qa-lead" in signoff.reasons[0]
    else:
        assert signoff.phase("database").counts.waived == 1


def test_waiver_by_test_name_covers_only_that_test(results: Path) -> None:
    healthy_run(results)
    write_result(results, "P5.4", "failed", what="hsts_header", message="HSTS missing")
    write_result(results, "P5.4", "failed", what="csp_header", message="CSP missing")
    config = SignoffSection(
        required_phases=("security",),
        waivers=(waiver(TODAY, check_id="test_P5_4_hsts_header"),),
    )

    signoff = signoff_of(results, config)

    statuses = {c.name: c.status for c in signoff.checks if c.id == "P5.4" and c.status != "passed"}
    assert statuses == {"test_P5_4_hsts_header": "waived", "test_P5_4_csp_header": "failed"}
    assert signoff.verdict == "NO-GO"


def test_unused_waiver_is_listed_as_unused(results: Path) -> None:
    healthy_run(results)

    signoff = signoff_of(results, SignoffSection(waivers=(waiver(TODAY),)))

    assert signoff.verdict == "GO"
    assert signoff.waivers[0].use == "unused"


# -- reruns and flaky checks -----------------------------------------------------------------


def rerun(results: Path, check_id: str, *statuses: str) -> None:
    for attempt, status in enumerate(statuses, start=1):
        write_result(
            results, check_id, status, what="rerun", history_id="same", message=f"attempt {attempt}"
        )


@pytest.mark.parametrize(("flaky_blocks", "verdict"), [(False, "GO"), (True, "NO-GO")])
def test_fail_then_pass_is_flaky_and_blocks_only_when_configured(
    results: Path, flaky_blocks: bool, verdict: str
) -> None:
    healthy_run(results)
    rerun(results, "P1.6", "failed", "passed")

    signoff = signoff_of(results, SignoffSection(flaky_blocks=flaky_blocks))

    flaky = [c for c in signoff.checks if c.status == "flaky"]
    assert [(c.id, c.attempts) for c in flaky] == [("P1.6", 2)]
    assert "attempt 1" in flaky[0].message
    assert signoff.phase("infra").counts.flaky == 1
    assert signoff.verdict == verdict
    assert signoff.to_dict()["flaky"] == ["P1.6 test_P1_6_rerun"]


@pytest.mark.parametrize(
    ("statuses", "final"),
    [
        (("failed", "failed"), "failed"),
        (("broken", "passed"), "flaky"),
        (("passed", "failed"), "failed"),  # the attempt that stopped last wins
        (("failed", "broken", "passed"), "flaky"),
    ],
)
def test_attempts_of_one_test_fold_into_one_check(
    results: Path, statuses: tuple[str, ...], final: str
) -> None:
    rerun(results, "P1.6", *statuses)

    signoff = signoff_of(results, partial=True)

    assert [(c.id, c.status, c.attempts) for c in signoff.checks] == [
        ("P1.6", final, len(statuses))
    ]


# -- could not verify ----------------------------------------------------------------------


UNVERIFIABLE = (
    "Skipped: Could not verify: [portal.calls].row_selector matched nothing on /portal/calls"
    " — fix: set [portal.calls].row_selector to the selector of one call row"
)


def test_unverified_check_blocks_go_apart_from_application_failures(
    results: Path, tmp_path: Path
) -> None:
    healthy_run(results)
    write_result(results, "P4.1", "skipped", what="calls", message=UNVERIFIABLE, unverified=True)

    signoff = signoff_of(results)
    _, md_path = write_signoff(signoff, tmp_path / "out")
    markdown = md_path.read_text(encoding="utf-8")

    assert status_of(signoff, "test_P4_1_calls") == "unverified"
    assert signoff.phase("portal").counts.unverified == 1
    assert signoff.phase("portal").counts.failed == 0
    assert signoff.phase("portal").status == "incomplete"
    assert signoff.verdict == "NO-GO"
    assert "not verified" in signoff.reasons[0] and "row_selector" in signoff.reasons[0]
    assert "## Failing checks" not in markdown
    assert "## Not verified" in markdown and "[portal.calls].row_selector" in markdown


def test_unverified_message_without_its_label_is_a_plain_skip(results: Path) -> None:
    """The sign-off reads labels, never message text."""
    healthy_run(results)
    write_result(results, "P4.1", "skipped", what="calls", message=UNVERIFIABLE)

    assert status_of(signoff_of(results), "test_P4_1_calls") == "skipped"


# -- the production guard ------------------------------------------------------------------


REFUSAL = "Skipped: Refused by production guard: health says environment=production"


def test_refused_check_in_required_phase_blocks_because_gate_could_not_verify(
    results: Path,
) -> None:
    healthy_run(results)
    write_result(results, "P3.5", "skipped", what="toggle", message=REFUSAL, refused=True)

    signoff = signoff_of(results)

    assert status_of(signoff, "test_P3_5_toggle") == "refused"
    assert signoff.phase("boot").counts.refused == 1
    assert signoff.phase("boot").counts.skipped == 0
    assert signoff.verdict == "NO-GO"
    assert "could not verify" in signoff.reasons[0]
    assert "environment=production" in signoff.reasons[0]


def test_refused_check_in_advisory_phase_is_counted_not_blocking(results: Path) -> None:
    healthy_run(results)
    write_result(results, "P7.2", "skipped", what="rollback", message=REFUSAL, refused=True)

    signoff = signoff_of(results, advisory("backup"))

    assert signoff.verdict == "GO"
    assert signoff.phase("backup").status == "incomplete"
    assert signoff.phase("backup").counts.refused == 1


LEGACY_TLS_SKIP = "Skipped: legacy protocols could not be offered by this machine: TLSv1"


def test_plain_skip_is_not_a_refusal(results: Path) -> None:
    healthy_run(results)
    write_result(results, "P1.1", "skipped", what="ipv6", message="Skipped: no AAAA expected")

    signoff = signoff_of(results)

    assert status_of(signoff, "test_P1_1_ipv6") == "skipped"
    assert signoff.phase("infra").counts.skipped == 1
    assert signoff.phase("infra").counts.refused == 0


def test_skip_in_required_phase_blocks_because_gate_could_not_verify(results: Path) -> None:
    healthy_run(results)
    write_result(
        results, "P1.2", "skipped", what="legacy", message=LEGACY_TLS_SKIP, title="P1.2 legacy tls"
    )

    signoff = signoff_of(results)

    assert signoff.verdict == "NO-GO"
    infra = signoff.phase("infra")
    assert (infra.status, infra.blocking, infra.counts.skipped) == ("incomplete", True, 1)
    assert signoff.reasons == (
        "P1.2 legacy tls was skipped (infra, required): legacy protocols could not be offered "
        "by this machine: TLSv1 — the gate could not verify it",
    )
    assert "P1.2" in render_markdown(signoff).split("## Failing checks")[1]


def test_skip_in_advisory_phase_is_counted_not_blocking(results: Path) -> None:
    healthy_run(results)
    write_result(results, "P1.2", "skipped", what="legacy", message=LEGACY_TLS_SKIP)

    signoff = signoff_of(results, advisory("infra"))

    assert signoff.verdict == "GO", signoff.reasons
    infra = signoff.phase("infra")
    assert (infra.status, infra.required, infra.blocking) == ("incomplete", False, False)
    assert infra.counts.skipped == 1


def test_waived_skip_does_not_block(results: Path) -> None:
    healthy_run(results)
    write_result(results, "P1.2", "skipped", what="legacy", message=LEGACY_TLS_SKIP)
    config = SignoffSection(waivers=(waiver(TODAY + dt.timedelta(days=3), "P1.2"),))

    signoff = signoff_of(results, config)

    assert signoff.verdict == "GO", signoff.reasons
    assert status_of(signoff, "test_P1_2_legacy") == "waived"
    assert signoff.phase("infra").counts.waived == 1
    assert signoff.waivers[0].use == "applied"


def test_expired_waiver_on_a_skip_blocks_again(results: Path) -> None:
    healthy_run(results)
    write_result(results, "P1.2", "skipped", what="legacy", message=LEGACY_TLS_SKIP)
    config = SignoffSection(waivers=(waiver(TODAY - dt.timedelta(days=1), "P1.2"),))

    signoff = signoff_of(results, config)

    assert signoff.verdict == "NO-GO"
    assert status_of(signoff, "test_P1_2_legacy") == "skipped"
    assert "was skipped" in signoff.reasons[0] and "expired on" in signoff.reasons[0]


# -- minimum checks, partial runs ----------------------------------------------------------


def test_too_few_checks_in_required_phase_blocks(results: Path) -> None:
    healthy_run(results)

    signoff = signoff_of(results, SignoffSection(min_checks={"database": 7, "infra": 7}))

    assert signoff.verdict == "NO-GO"
    assert signoff.reasons == (
        "phase database: only 6 check(s) ran, signoff.min_checks requires 7",
    )
    assert signoff.phase("database").status == "incomplete"
    assert signoff.phase("infra").status == "passed"


def test_required_phase_of_only_skips_has_no_checks_run(results: Path) -> None:
    healthy_run(results, except_phase="P3")
    write_result(results, "P3.1", "skipped", what="boots", message="Skipped: not today")

    signoff = signoff_of(results)

    assert signoff.verdict == "NO-GO"
    assert signoff.reasons == (
        "P3.1 test_P3_1_boots was skipped (boot, required): not today "
        "— the gate could not verify it",
        "phase boot: no checks ran (1 skipped, 0 refused, 0 not verified)",
    )


def test_full_run_missing_a_required_phase_blocks(results: Path) -> None:
    healthy_run(results, except_phase="P2")

    signoff = signoff_of(results)

    assert signoff.verdict == "NO-GO"
    assert signoff.not_run == ("database",)
    assert "phase database: no checks ran" in signoff.reasons[0]


def test_selected_phases_make_a_partial_run_that_lists_what_did_not_run(results: Path) -> None:
    write_healthy_phase(results, "P5")

    signoff = signoff_of(results, selected_phases=["security"])

    assert signoff.verdict == "GO"
    assert signoff.partial
    assert signoff.not_run == ("infra", "database", "boot", "portal", "performance", "backup")
    assert signoff.phase("infra").status == "not-run"
    assert signoff.to_dict()["partial"] is True


def test_selected_required_phase_without_results_blocks(results: Path) -> None:
    write_healthy_phase(results, "P5")

    signoff = signoff_of(results, selected_phases=["infra", "security"])

    assert signoff.verdict == "NO-GO"
    assert signoff.reasons == ("phase infra: no checks ran (0 skipped, 0 refused, 0 not verified)",)


def test_keyword_narrowed_run_judges_only_what_ran(results: Path) -> None:
    write_result(results, "P5.3", "passed", what="csrf")

    signoff = signoff_of(results, selected_phases=None, partial=True)

    assert (signoff.verdict, signoff.partial) == ("GO", True)
    assert signoff.phase("security").counts.passed == 1


def test_nothing_ran_is_never_go(results: Path) -> None:
    results.mkdir()

    signoff = signoff_of(results, partial=True)

    assert signoff.verdict == "NO-GO"
    assert "no checks ran at all" in signoff.reasons[-1]


# -- reading results ------------------------------------------------------------------------


def test_labels_missing_falls_back_to_the_test_name(results: Path) -> None:
    write_result(results, "P4.2", "passed", what="appointments", labels=False)

    signoff = signoff_of(results, partial=True)

    only = signoff.checks[0]
    assert (only.id, only.phase, only.severity) == ("P4.2", "portal", "critical")


def test_damaged_result_file_stops_the_verdict(results: Path) -> None:
    healthy_run(results)
    (results / "0000-result.json").write_text('{"status": "fail', encoding="utf-8")

    with pytest.raises(ConfigError, match=r"cannot read allure result .*0000-result\.json"):
        signoff_of(results)


def test_missing_results_directory_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        signoff_of(tmp_path / "nowhere")


# -- written files ---------------------------------------------------------------------------


def test_signoff_json_schema_and_round_trip(results: Path, tmp_path: Path) -> None:
    healthy_run(results)
    write_result(results, "P1.7", "failed", what="health", message="health: status=degraded")
    write_result(results, "P2.5", "failed", what="seed", message="companies: 1 row")
    config = SignoffSection(waivers=(waiver(TODAY),))
    signoff = signoff_of(results, config)

    json_path, md_path = write_signoff(signoff, tmp_path / "out")

    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["verdict"] == "NO-GO" and data["partial"] is False
    assert set(data["phases"]) == set(PHASES)
    assert set(data["phases"]["infra"]) >= {
        "status", "required", "passed", "failed", "broken", "skipped", "refused", "unverified",
        "waived", "flaky",
    }  # fmt: skip
    failing = [c for c in data["checks"] if c["status"] == "failed"]
    assert failing == [
        {
            "id": "P1.7",
            "name": "test_P1_7_health",
            "phase": "infra",
            "status": "failed",
            "message": "health: status=degraded",
            "severity": "critical",
            "test": "test_P1_7_health",
            "attempts": 1,
            "note": "",
        }
    ]
    assert data["waivers"][0]["state"] == "applied"
    assert dt.datetime.fromisoformat(data["generated_at"]).tzinfo is not None
    assert read_signoff(json_path) == signoff
    assert md_path.name == "signoff.md"


def test_interrupted_run_is_no_go_listing_what_did_not_run(
    results: Path, tmp_path: Path
) -> None:
    for prefix in ("P1", "P2"):
        write_healthy_phase(results, prefix)
    how = "SIGTERM during the state-changing checks"

    signoff = mark_interrupted(signoff_of(results, partial=True), how)
    json_path, md_path = write_signoff(signoff, tmp_path / "out")

    assert signoff.verdict == "NO-GO" and signoff.interrupted == how
    assert signoff.reasons[0].startswith(
        f"the run was interrupted ({how}) before it finished; 25 checklist item(s) did not "
        "run: P3.1, P3.2"
    )
    assert json.loads(json_path.read_text(encoding="utf-8"))["interrupted"] == how
    assert read_signoff(json_path) == signoff
    text = md_path.read_text(encoding="utf-8")
    assert text.splitlines()[2].startswith(f"**Run interrupted** ({how})")
    assert "(interrupted)" in format_summary_table(signoff)


def test_interrupted_run_counts_only_the_selected_phases(results: Path) -> None:
    write_healthy_phase(results, "P7")
    signoff = mark_interrupted(signoff_of(results, selected_phases=["backup"]), "SIGINT",
                               ["backup"])
    assert signoff.reasons[0].endswith("every checklist item has at least one result")
    assert signoff.verdict == "NO-GO"


def test_signoff_md_reads_verdict_then_failing_checks_then_phases(
    results: Path, tmp_path: Path
) -> None:
    healthy_run(results)
    write_result(results, "P6.1", "failed", what="home", message="p95 2.4 s > 2 s")
    write_result(results, "P1.2", "failed", what="expiry", message="certificate expires in 3 days")
    rerun(results, "P3.2", "failed", "passed")

    _, md_path = write_signoff(signoff_of(results, advisory("performance")), tmp_path)
    text = md_path.read_text(encoding="utf-8")

    assert text.splitlines()[0] == "# ❌ NO-GO — staging sign-off"
    order = [
        text.index("## Why NO-GO"),
        text.index("## Failing checks"),
        text.index("| P1.2 |"),  # required phase's failure before the advisory one
        text.index("| P6.1 |"),
        text.index("## Phases"),
        text.index("## Flaky checks"),
    ]
    assert order == sorted(order)
    assert "certificate expires in 3 days" in text
    assert "advisory, does not block" in text
    for phase_title in ("Phase 1: Infrastructure Validation", "Phase 7: Database Safety"):
        assert phase_title in text


def test_summary_table_has_every_phase_and_the_verdict(results: Path) -> None:
    healthy_run(results)
    write_result(results, "P2.2", "failed", what="pending", message="1 pending\nmore detail")

    table = format_summary_table(signoff_of(results))

    lines = table.splitlines()
    assert lines[0].split()[:3] == ["phase", "kind", "status"]
    for phase in PHASES:
        assert any(line.startswith(phase + " ") for line in lines)
    assert "Verdict: NO-GO" in table
    assert any(line.startswith("  - P2.2 test_P2_2_pending failed") for line in lines)
    assert "more detail" not in table


def test_plugin_display_titles_and_parameters_name_the_check(results: Path) -> None:
    """The plugin titles results "P5.4 Hsts header"; parametrized ones differ by parameter."""
    healthy_run(results)
    for origin in ("https", "admin"):
        write_result(
            results, "P5.4", "failed", what="hsts_header", title="P5.4 Hsts header",
            parameters={"origin": origin}, message=f"{origin}: HSTS missing",
        )  # fmt: skip
    config = SignoffSection(
        required_phases=("security",), waivers=(waiver(TODAY, check_id="test_P5_4_hsts_header"),)
    )

    signoff = signoff_of(results, config)

    waived = signoff.checks_with("waived")
    assert sorted(c.title for c in waived) == [
        "P5.4 Hsts header [admin]",
        "P5.4 Hsts header [https]",
    ]
    assert {c.test for c in waived} == {"test_P5_4_hsts_header"}
    assert signoff.verdict == "GO"
