"""The analyst workspace's case views as pure functions: what the pages draw, not how they serve it.

Each function reads only the narrow store interface it needs (or a case already loaded) and
returns plain dicts, lists and SVG text that the partial templates under
``vigil/web/templates/partials`` render; nothing here imports the web package. The network is
Cytoscape.js elements JSON (the browser lays it out), the timelines are server-side SVG (no
script needed to read them), and the status, trail and outbox views are rows for tables.
"""
