"""vigil's HTTP API (FastAPI): a thin layer over the public API in :mod:`vigil`, nothing else.

Like the CLI, the web layer imports only names :mod:`vigil` exports (a test holds it to that);
every decision is the library's. :func:`vigil.web.app.create_app` builds the app.
"""
