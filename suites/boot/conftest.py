"""Phase 3 wiring: observe many paths at once; make sure the portal flag is on."""

from collections.abc import Callable, Sequence

import httpx
import pytest

from staging_gate import expect
from staging_gate.deployment.flags import FlagDidNotSettle
from staging_gate.probes.http_checks import Observation, observe_all

Observer = Callable[[httpx.Client, Sequence[str]], list[Observation]]


@pytest.fixture
def observe_paths() -> Observer:
    return observe_all


@pytest.fixture
def portal_surface(profile) -> list[str]:
    """Every portal page and API path of the profile; the check fails when there is none."""
    paths = [*profile.routes.portal_paths, *profile.routes.portal_api_paths]
    expect.that(bool(paths), "profile lists no routes.portal_paths or routes.portal_api_paths; "
                "nothing to check")
    return paths


@pytest.fixture
def portal_on(flags, profile) -> None:
    """The portal flag on for this test: switched (and restored afterwards) only if it was off;
    the test fails here, naming the flag, if it does not come on within flags.settle_seconds."""
    try:
        flags.ensure(profile.flags.portal_flag, True)
    except FlagDidNotSettle as error:
        pytest.fail(str(error), pytrace=False)
