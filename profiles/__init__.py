"""Profile templates and examples shipped with the gate (package data), found through
`staging_gate.resources.profile_template`."""
