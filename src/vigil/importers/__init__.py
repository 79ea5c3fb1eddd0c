"""Importers: JSON Lines for every record kind and CSV for payments, with a quarantine for bad rows."""
