from __future__ import annotations

from pathlib import Path

import pytest

from staging_gate.errors import ConfigError
from staging_gate.profile import load_profile
from tests.profile_factory import SECRETS, write_profile

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_askpro_profile_is_valid() -> None:
    profile = load_profile(PROJECT_ROOT / "profiles" / "askpro-staging.toml")
    assert profile.target.host == "staging.askproai.de"
    assert profile.target.production_host == "api.askproai.de"
    assert profile.database.name == "askproai_staging"
    assert profile.database.production_name == "askproai_db"
    assert profile.cache.prefix == "askpro_staging_"
    assert profile.cache.production_prefix == "askpro_cache_"
    assert profile.budgets.homepage_p95_ms == 2000
    assert profile.budgets.api_p95_ms == 500
    assert profile.budgets.cache_hit_ratio == 0.60


def test_profile_is_frozen(tmp_path: Path) -> None:
    profile = load_profile(write_profile(tmp_path))
    with pytest.raises(Exception, match="frozen"):
        setattr(profile.target, "base_url", "https://elsewhere.test")  # noqa: B010


def test_malformed_toml_is_one_line_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[target\nbase_url = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.toml is not valid TOML") as error:
        load_profile(path)
    assert "\n" not in str(error.value)


def test_invalid_field_names_its_location(tmp_path: Path) -> None:
    path = write_profile(tmp_path, base_url="ftp://nowhere")
    with pytest.raises(ConfigError, match=r"\[target.base_url\].*absolute http"):
        load_profile(path)


def test_unknown_field_is_rejected(tmp_path: Path) -> None:
    path = write_profile(tmp_path, extra="\n[flags]\ntogle_command = ['x']\n")
    with pytest.raises(ConfigError, match=r"flags.togle_command"):
        load_profile(path)


def test_missing_file_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist; pass --profile"):
        load_profile(tmp_path / "nope.toml")


def test_missing_secret_names_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    profile = load_profile(write_profile(tmp_path))
    monkeypatch.delenv("SG_TEST_DB_DSN", raising=False)
    monkeypatch.setenv("SG_TEST_REDIS_URL", SECRETS["SG_TEST_REDIS_URL"])
    assert profile.missing_secrets() == ["SG_TEST_DB_DSN"]
    with pytest.raises(ConfigError, match="SG_TEST_DB_DSN is not set"):
        profile.secret("SG_TEST_DB_DSN")


def test_a_database_run_needs_only_the_dsn(tmp_path: Path) -> None:
    profile = load_profile(write_profile(tmp_path, complete=True))
    assert profile.secret_names(["database"]) == ["SG_TEST_DB_DSN"]
    assert not profile.needs_web_target(["database"])
    assert profile.gaps(["database"]) == []


def test_other_phases_need_what_they_log_in_with(tmp_path: Path) -> None:
    profile = load_profile(write_profile(tmp_path, complete=True))
    infra = profile.secret_names(["infra"])
    assert "SG_TEST_REDIS_URL" in infra and "SG_TEST_ADMIN_EMAIL" not in infra
    assert "SG_TEST_ADMIN_PASSWORD" in profile.secret_names(["database", "security"])
    assert profile.secret_names([]) == profile.secret_names()  # no selection = every phase
    assert len(profile.secret_names()) == 8
    assert profile.needs_web_target(["database", "infra"])


def test_squashed_schema_and_tenant_key_are_profile_keys(tmp_path: Path) -> None:
    path = write_profile(tmp_path)
    text = path.read_text().replace(
        "[database]\n",
        '[database]\nsquashed_through = "2025_08_14_000001_secure_api_keys_migration"\n'
        'tenant_key = "companies.id"\n',
    )
    path.write_text(text)
    profile = load_profile(path)
    assert profile.database.squashed_through == "2025_08_14_000001_secure_api_keys_migration"
    assert profile.database.tenant_key == "companies.id"
    path.write_text(text.replace('"companies.id"', '"companies"'))
    with pytest.raises(ConfigError, match=r"database.tenant_key"):
        load_profile(path)


def test_scratch_dsn_is_a_secret_when_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SG_TEST_SCRATCH_DSN", raising=False)
    named = '[backup]\nscratch_dsn_env = "SG_TEST_SCRATCH_DSN"\n'
    profile = load_profile(write_profile(tmp_path, extra=named))
    assert profile.missing_secrets() == ["SG_TEST_SCRATCH_DSN"]
    assert load_profile(write_profile(tmp_path)).missing_secrets() == []
