"""Accounts, sessions, authorisation and reviewer wellness for the analyst workspace.

Web-framework free: the web pages and the CLI call these; the numbers and their sources are in
``docs/workspace.md``. Optional OIDC login has its seam in :mod:`vigil.accounts.oidc`.
"""
