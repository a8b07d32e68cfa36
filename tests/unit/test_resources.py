"""The gate's own files are found through the package (here: a source checkout)."""

from __future__ import annotations

from pathlib import Path

import pytest

from staging_gate import resources

ROOT = Path(__file__).resolve().parents[2]


def test_a_checkout_uses_its_top_level_folders() -> None:
    assert resources.source_checkout() == ROOT
    assert resources.module_name("suites") == "suites"
    assert resources.checks_dir() == ROOT / "suites"
    assert "fixtures.target" in resources.fixture_plugins()
    assert resources.missing() == []


def test_every_fixture_module_is_registered() -> None:
    shipped = {p.stem for p in (ROOT / "fixtures").glob("*.py") if p.stem != "__init__"}

    assert sorted(shipped) == resources.fixture_modules()


def test_any_profile_template_is_found_by_name() -> None:
    for path in (ROOT / "profiles").glob("*.toml"):
        assert resources.profile_template(path.name) == path


def test_an_unshipped_folder_is_refused() -> None:
    with pytest.raises(ValueError, match="not shipped"):
        resources.module_name("tests")
