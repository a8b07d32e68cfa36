"""verify-production's inverse guard: a profile that could change production is refused."""

from pathlib import Path
from typing import Any

import pytest

from staging_gate.errors import ConfigError
from staging_gate.profile import Profile, parse_profile
from staging_gate.run import verify_production as production

BASE = {
    "target": {"base_url": "https://api.example.test", "production_url": "https://api.example.test",
               "environment": "production"},
    "database": {"dsn_env": "X", "name": "app_db", "production_name": "app_db",
                 "latest_migration": "m"},
    "cache": {"url_env": "Y", "prefix": "p_", "production_prefix": "p_"},
}


def profile(**sections: Any) -> Profile:
    return parse_profile({**BASE, **sections}, source="prod.toml")


def test_a_read_only_profile_passes() -> None:
    read_only = profile(flags={"read_command": ["cat", "{flag}"]},
                        backup={"dump_command": ["dump"]})
    assert production.state_changing_commands(read_only) == []
    production.refuse_state_changing(read_only)


@pytest.mark.parametrize("section, key", production.STATE_CHANGING_KEYS)
def test_each_state_changing_command_is_named(section: str, key: str) -> None:
    assert production.state_changing_commands(profile(**{section: {key: ["x"]}})) == [
        f"{section}.{key}"]


def test_refusal_is_one_line_naming_every_command() -> None:
    risky = profile(flags={"toggle_command": ["t"]}, rollback={"rollback_command": ["r"]})
    with pytest.raises(ConfigError) as refused:
        production.refuse_state_changing(risky)
    message = str(refused.value)
    assert "\n" not in message
    assert "flags.toggle_command, rollback.rollback_command" in message
    assert "prod.toml" in message


def test_cli_refuses_before_any_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from staging_gate.run import cli

    risky = tmp_path / "prod.toml"
    risky.write_text(
        '[target]\nbase_url = "https://api.example.invalid"\n'
        'production_url = "https://api.example.invalid"\n'
        '[database]\ndsn_env = "X"\nname = "d"\nproduction_name = "d"\nlatest_migration = "m"\n'
        '[cache]\nurl_env = "Y"\nprefix = "p_"\nproduction_prefix = "p_"\n'
        '[backup]\nrestore_command = ["restore", "{file}"]\n',
        encoding="utf-8",
    )
    code = cli.main(["verify-production", "--profile", str(risky), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "backup.restore_command" in err[0], err
    assert not (tmp_path / "o").exists()
