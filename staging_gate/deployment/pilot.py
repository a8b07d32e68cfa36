"""Pilot rollout (seed Part 6.1 Phase 2, Part 8.3): the portal for pilot companies only,
through a setting such as ``FEATURE_CUSTOMER_PORTAL_TEST_COMPANIES=15``.

`PilotSwitch` writes the pilot list with the profile's ``flags.toggle_command`` (``{flag}`` =
``flags.pilot_setting``, ``{value}`` = comma-separated company ids), reads it back with
``flags.read_command``, and `pilot_rollout` puts the original list back — also when the check
fails half way. A list it cannot read is never changed: it could not be restored.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from staging_gate.deployment.commands import CommandFailed, render, run_command
from staging_gate.deployment.guard import require_staging
from staging_gate.deployment.target import Target
from staging_gate.errors import CouldNotVerify
from staging_gate.profile import FlagsSection

#: The profile keys a pilot check needs, in the order a user fills them in.
PILOT_KEYS = ("pilot_setting", "pilot_companies", "pilot_tenant", "non_pilot_tenant")


class PilotNotRestored(Exception):
    """The pilot list could not be put back; the message names the setting and both values."""


def missing_pilot_keys(flags: FlagsSection) -> list[str]:
    """The ``flags.*`` pilot keys the profile leaves empty (all are needed for the check)."""
    missing = [f"flags.{key}" for key in PILOT_KEYS if not getattr(flags, key)]
    if not flags.read_command:
        missing.append("flags.read_command (to read the pilot list back before changing it)")
    return missing


def format_ids(ids: Sequence[str]) -> str:
    """``("15", " 16")`` -> ``"15,16"``: the setting's value as the seed writes it."""
    return ",".join(part.strip() for part in ids if part.strip())


class PilotSwitch:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.config = target.profile.flags
        self.original: str | None = None

    def read(self) -> str:
        """The pilot list as the setting holds it now (``""`` = every company).

        Raises CouldNotVerify when the profile's read command is missing or fails."""
        if not self.config.read_command:
            raise CouldNotVerify(f"the pilot list {self.config.pilot_setting} cannot be read",
                                 "set flags.read_command")
        try:
            result = run_command(
                render(self.config.read_command, {"flag": self.config.pilot_setting}), timeout=30)
        except CommandFailed as error:
            raise CouldNotVerify(f"reading {self.config.pilot_setting} failed: {error}",
                                 "make flags.read_command print the setting's value") from None
        return result.stdout.strip()

    def write(self, value: str) -> None:
        """Set the pilot list (guard first); the first original value is kept for restore."""
        require_staging(self.target.fingerprint,
                        f"changing the pilot list {self.config.pilot_setting}")
        if self.original is None:
            self.original = self.read()
        values = {"flag": self.config.pilot_setting, "value": value}
        run_command(render(self.config.toggle_command, values), timeout=60)

    def restore(self) -> None:
        """Put the original list back and read it again; PilotNotRestored if it is not."""
        if self.original is None:
            return
        original, self.original = self.original, None
        values = {"flag": self.config.pilot_setting, "value": original}
        try:
            run_command(render(self.config.toggle_command, values), timeout=60)
            now = self.read()
        except (CommandFailed, CouldNotVerify) as error:
            raise PilotNotRestored(
                f"pilot list {self.config.pilot_setting} not restored to {original!r}: {error}"
            ) from None
        if format_ids(now.split(",")) != format_ids(original.split(",")):
            raise PilotNotRestored(
                f"pilot list {self.config.pilot_setting} reads {now!r} after restoring "
                f"{original!r}"
            )


@contextmanager
def pilot_rollout(switch: PilotSwitch, ids: Sequence[str]) -> Iterator[None]:
    """The pilot list set to `ids` inside the block, the original back after it — also when
    the block raises (the block's error wins; a failed restore is raised otherwise)."""
    try:
        switch.write(format_ids(ids))
        yield
    except BaseException as failure:
        try:
            switch.restore()
        except PilotNotRestored as not_restored:
            failure.add_note(str(not_restored))
        raise
    switch.restore()
