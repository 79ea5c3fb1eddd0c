"""Exporters: cases out of vigil in the formats analysts file and share."""
