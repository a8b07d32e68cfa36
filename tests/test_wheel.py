"""The wheel is the product: built from this checkout, it carries the checks, their fixtures,
the locustfile, the profile templates and the report assets, and an install of it reads no
file of the gate from outside the installed package.

Quick by design: the wheel is built once (pip, build isolation: ~20 s) and unpacked, not
installed; the checks are collected, not run. The full `staging-gate demo`
from a wheel in a fresh virtualenv is the CI workflow's and a by-hand check.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.profile_factory import COMPLETE_SECRETS, write_profile

ROOT = Path(__file__).resolve().parent.parent
#: Source folder -> where it lives in the wheel.
MAPPED = {
    "staging_gate": "staging_gate",
    "suites": "staging_gate/suites",
    "fixtures": "staging_gate/fixtures",
    "locustfiles": "staging_gate/locustfiles",
    "reports": "staging_gate/reports",
    "profiles": "staging_gate/profiles",
}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    # setuptools copies into build/lib and never prunes it: a file deleted from the source
    # would still ship. Build from a clean slate.
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(dist)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (built,) = dist.glob("staging_gate-*.whl")
    return built


@pytest.fixture(scope="module")
def unpacked(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def _shipped_sources() -> list[str]:
    """Every file of the gate in the checkout, as its path inside the wheel."""
    wanted: list[str] = []
    for source, packaged in MAPPED.items():
        for path in sorted((ROOT / source).rglob("*")):
            if path.suffix in (".py", ".toml", ".json", ".ini") and "__pycache__" not in path.parts:
                wanted.append(f"{packaged}/{path.relative_to(ROOT / source).as_posix()}")
    return wanted


def test_wheel_carries_every_check_fixture_locustfile_profile_and_report_asset(
    wheel: Path,
) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())

    missing = [name for name in _shipped_sources() if name not in names]

    assert not missing, f"not in the wheel (list the package in pyproject.toml): {missing}"
    stale = sorted(
        name for name in names
        if name.startswith("staging_gate/") and name.endswith(".py")
        and name not in set(_shipped_sources())
    )
    assert not stale, f"in the wheel but not in the source tree: {stale}"
    for required in (
        "staging_gate/suites/infra/test_tls.py",
        "staging_gate/fixtures/target.py",
        "staging_gate/locustfiles/portal.py",
        "staging_gate/reports/categories.json",
        "staging_gate/profiles/reference.toml",
        "staging_gate/gate_pytest.ini",
        "reference_target/__main__.py",
    ):
        assert required in names
    assert not any(name.startswith(("suites/", "fixtures/", "tests/")) for name in names)


def _run_unpacked(unpacked: Path, cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **COMPLETE_SECRETS, "PYTHONPATH": str(unpacked)}
    return subprocess.run(
        [sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=300, check=False,
    )


def test_installed_gate_reads_nothing_from_outside_its_package(
    unpacked: Path, tmp_path: Path
) -> None:
    probe = textwrap.dedent(
        """
        from pathlib import Path
        import staging_gate
        from staging_gate import resources
        from staging_gate.verdict import allure_meta
        from staging_gate.run import load
        from staging_gate.run import plugin
        from staging_gate.run import reference

        package = Path(staging_gate.__file__).resolve().parent
        assert resources.source_checkout() is None
        assert resources.missing() == [], resources.missing()
        paths = [resources.checks_dir(), load.LOCUSTFILE, allure_meta.CATEGORIES_FILE,
                 reference.PROFILE_TEMPLATE, resources.pytest_config(),
                 resources.profile_template("any-other.toml").parent]
        outside = [str(p) for p in paths if not p.resolve().is_relative_to(package)]
        assert not outside, outside
        assert "staging_gate.fixtures.target" in resources.fixture_plugins()
        print(package)
        """
    )
    done = _run_unpacked(unpacked, tmp_path, "-c", probe)

    assert done.returncode == 0, done.stderr[-3000:]
    assert Path(done.stdout.strip()) == unpacked / "staging_gate"


def _collected(done: subprocess.CompletedProcess[str]) -> int:
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return sum(1 for line in done.stdout.splitlines() if "::test_P" in line)


def test_installed_checks_collect_with_pyargs_as_many_as_the_checkout(
    unpacked: Path, tmp_path: Path
) -> None:
    profile = write_profile(tmp_path, complete=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    options = ("--profile", str(profile), "--collect-only", "-q", "-p", "no:cacheprovider")

    installed = _run_unpacked(
        unpacked, empty, "-m", "pytest", "--pyargs", "staging_gate.suites", *options
    )
    checkout = subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "suites"), "--rootdir", str(ROOT), "-c",
         str(ROOT / "staging_gate" / "gate_pytest.ini"), *options],
        cwd=ROOT, env={**os.environ, **COMPLETE_SECRETS, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=300, check=False,
    )

    count = _collected(installed)
    assert count > 50
    assert count == _collected(checkout)
    assert str(ROOT) not in installed.stdout
