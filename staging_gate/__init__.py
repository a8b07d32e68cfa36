"""Staging Gate: a pytest-based validation gate run after every staging deploy.

Rooms, each importing only rooms below it (ARCHITECTURE.md; `lint-imports` checks it):
`run` (CLI, plugin, load) > `verdict` (results, sign-off, report) > `probes` (the checks'
logic) > `deployment` (reach the target: connections, commands, guard, flags) > the
foundation, the modules at this level (`errors`, `checklist`, `profile`, `portal_contract`,
`findings`, `evidence`, `expect`, `resources`), which import no room.
"""

__version__ = "0.1.0"
