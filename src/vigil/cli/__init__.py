"""The command line: a thin Typer layer over vigil's public API."""
