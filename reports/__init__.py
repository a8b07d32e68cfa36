"""Report assets shipped with the gate (`categories.json`), found through
`staging_gate.resources.report_asset`."""
