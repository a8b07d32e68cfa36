"""Portal presets: TOML data read by `portal_contract.load_preset`; no code, imports nothing."""
