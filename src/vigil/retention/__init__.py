"""Retention per jurisdiction, preservation holds that nothing can shorten, and detectors that a
jurisdiction switches off where their legal basis lapsed. See docs/retention.md."""
