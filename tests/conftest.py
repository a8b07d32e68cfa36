"""Shared fixtures for the gate's own tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from staging_gate import reference

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def reference_target(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[reference.ReferenceTarget]:
    """One reference target per test session (per xdist worker), stopped at the end."""
    state_dir: Path = tmp_path_factory.mktemp("reference-target")
    target = reference.start(state_dir)
    try:
        yield target
    finally:
        reference.stop(state_dir)
