"""Importers: JSON Lines for every record kind and CSV for payments; bad rows to quarantine."""
