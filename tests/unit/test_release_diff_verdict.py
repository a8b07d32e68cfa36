"""The release diff is information: it changes the verdict only when release.blocks says so."""

from staging_gate.probes.migration_risk import RiskyStatement
from staging_gate.profile import Profile, parse_profile
from staging_gate.verdict import release_diff
from staging_gate.verdict.signoff_model import Signoff

GO = Signoff(verdict="GO", partial=False, reasons=(), phases=(), checks=(), waivers=(),
             not_run=(), generated_at="2026-11-30T00:00:00+00:00")
RISKY = release_diff.ReleaseDiff(
    unapplied=("2026_01_01_000000_drop_pin",),
    risky=(RiskyStatement("2026_01_01_000000_drop_pin", "drop", "users",
                          "ALTER TABLE users DROP COLUMN pin", 12),),
)


def profile(blocks: bool) -> Profile:
    return parse_profile({
        "target": {"base_url": "https://s.test", "production_url": "https://p.test"},
        "database": {"dsn_env": "X", "name": "s", "production_name": "p", "latest_migration": "m"},
        "cache": {"url_env": "Y", "prefix": "s_", "production_prefix": "p_"},
        "release": {"production_dsn_env": "PROD_RO", "blocks": blocks},
    })


def test_risky_statements_do_not_block_by_default() -> None:
    assert release_diff.apply(GO, RISKY, profile(blocks=False)) is GO


def test_release_blocks_turns_risky_statements_into_no_go() -> None:
    verdict = release_diff.apply(GO, RISKY, profile(blocks=True))
    assert verdict.verdict == "NO-GO"
    assert verdict.reasons[-1].startswith("release diff: 1 risky statement(s)")
    assert "drop on users (~12 rows)" in verdict.reasons[-1]


def test_a_diff_without_risk_or_without_config_changes_nothing() -> None:
    clean = release_diff.ReleaseDiff(unapplied=("m",))
    assert release_diff.apply(GO, clean, profile(blocks=True)) is GO
    assert release_diff.apply(GO, None, profile(blocks=True)) is GO


def test_could_not_compute_blocks_only_when_told() -> None:
    broken = release_diff.ReleaseDiff(error="TargetUnreachable: database unreachable")
    assert release_diff.apply(GO, broken, profile(blocks=False)) is GO
    assert release_diff.apply(GO, broken, profile(blocks=True)).verdict == "NO-GO"
    assert "Could not compute the release diff" in release_diff.markdown(broken, blocks=False)
