"""Phase 3 wiring: observe many paths at once; make sure the portal flag is on."""

from collections.abc import Callable, Sequence

import httpx
import pytest

from staging_gate.evidence import attach_response
from staging_gate.flags import FlagDidNotSettle
from staging_gate.probes.http_checks import Observation, observe

Observer = Callable[[httpx.Client, Sequence[str]], list[Observation]]


def observe_all(client: httpx.Client, paths: Sequence[str]) -> list[Observation]:
    observations = []
    for path in paths:
        response = client.get(path)
        attach_response(response)
        observations.append(observe(response))
    return observations


@pytest.fixture
def observe_paths() -> Observer:
    return observe_all


@pytest.fixture
def portal_on(flags, profile) -> None:
    """The portal flag on for this test: switched (and restored afterwards) only if it was off;
    the test fails here, naming the flag, if it does not come on within flags.settle_seconds."""
    try:
        flags.ensure(profile.flags.portal_flag, True)
    except FlagDidNotSettle as error:
        pytest.fail(str(error), pytrace=False)
