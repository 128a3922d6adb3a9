"""Thin command-line tools: vexa-opt, vexa-translate, vexa-run."""
