"""Shared fixtures for the gate's own tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from staging_gate.run import reference

pytest_plugins = ["pytester"]


def _started(
    tmp_path_factory: pytest.TempPathFactory, dialect: str
) -> Iterator[reference.ReferenceTarget]:
    state_dir: Path = tmp_path_factory.mktemp(f"reference-target-{dialect}")
    target = reference.start(state_dir, dialect=dialect)
    try:
        yield target
    finally:
        reference.stop(state_dir)


@pytest.fixture(scope="session")
def reference_target(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[reference.ReferenceTarget]:
    """One reference target per test session (per xdist worker), stopped at the end."""
    yield from _started(tmp_path_factory, "reference")


@pytest.fixture(scope="session")
def filament_target(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[reference.ReferenceTarget]:
    """The reference target's filament dialect, started only by tests that ask for it."""
    yield from _started(tmp_path_factory, "filament")


@pytest.fixture
def dialect_target(request: pytest.FixtureRequest) -> reference.ReferenceTarget:
    """The target of the dialect the test is parametrized with (indirect: "reference" or
    "filament"); each dialect's target starts once per session, on first use."""
    dialect = str(request.param)
    target: reference.ReferenceTarget = request.getfixturevalue(f"{dialect}_target")
    return target
