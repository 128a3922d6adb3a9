"""Rewrites inside one level, one file per pass."""
