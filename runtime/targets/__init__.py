"""Machine descriptions (TOML), one file per target."""
