"""Render the demo world's top case views to one HTML page, to look at them in a browser.

    PYTHONPATH=src python scripts/render_case_views.py --out /tmp/views [--cases 3] [--seed 7]
    chromium --headless --no-sandbox --screenshot=/tmp/views.png --window-size=1000,4000 \
        http://127.0.0.1:8000/case-views.html   # after: python -m http.server -d /tmp/views

The page carries the Content-Security-Policy the workspace is meant to serve (no inline script
or style), so a view that needs one shows up broken here first. Rendering a case opens it, and
opening is audited: each case's trail shows this script's view event.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

import vigil

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "base-uri 'none'; form-action 'none'")
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<title>vigil case views: demo world, seed {{ seed }}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="static/views.css">
<script src="static/vendor/cytoscape.min.js" defer></script>
<script src="static/network.js" defer></script>
</head><body><main>
<h1>vigil case views: demo world, seed {{ seed }}</h1>
{% for case in cases %}<article aria-labelledby="case-{{ case.id }}">
<h2 id="case-{{ case.id }}">{{ loop.index }}. {{ case.id }},
priority {{ "%.3f"|format(case.priority) }}</h2>
{{ case.network }}{{ case.timeline }}{{ case.payments }}{{ case.trail }}
</article>{% endfor %}
{{ status }}{{ outbox }}
</main></body></html>
"""
STATIC = Path(vigil.__file__).parent / "web" / "static"


def render(store: vigil.Store, registry: vigil.Registry, count: int, seed: int,
           reader: str | None = "render-script") -> str:
    """The page over the top ``count`` cases, each opened as ``reader`` (an audited view), or
    read without opening when ``reader`` is ``None`` (the tests, which keep their store as is)."""
    partials = Environment(loader=PackageLoader("vigil.web", "templates"),
                           autoescape=select_autoescape(["html"]))

    def part(name: str, **context: object) -> str:
        return partials.get_template(f"partials/{name}.html").render(heading_level=3, **context)

    shown = []
    for case in store.cases()[:count]:
        if reader is not None:
            vigil.open_case(store, store, case.id, actor=reader, reason="render case views")
        shown.append({
            "id": case.id, "priority": case.priority,
            "network": part("network", network=vigil.case_network(case)),
            "timeline": part("timeline", timeline=vigil.signal_timeline(case)),
            "payments": part("payment_timeline", payments=vigil.payment_timeline(
                case, vigil.case_payments(case, store))),
            "trail": part("trail", trail=vigil.case_trail(store, case.id))})
    status = part("status", banks=vigil.bank_status(
        store, store, now=datetime.now(UTC), stale_after=timedelta(hours=1)),
        detectors=vigil.detector_status(registry.detectors, store, store))
    page = Environment(autoescape=False).from_string(PAGE)  # the parts are escaped already
    return page.render(csp=CSP, seed=seed, cases=shown, status=status,
                       outbox=part("outbox", outbox=vigil.outbox_view(store)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the page")
    parser.add_argument("--cases", type=int, default=3, help="how many top cases to render")
    parser.add_argument("--seed", type=int, default=7, help="the demo world's seed")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for leftover in ("demo.db", "demo.db-wal", "demo.db-shm"):
        (out / leftover).unlink(missing_ok=True)
    registry = vigil.load_registry()
    url = f"sqlite:///{out.resolve() / 'demo.db'}"
    vigil.run_demo(args.seed, out, vigil.Settings(), registry, database_url=url)
    store = vigil.open_store(url)
    try:
        html = render(store, registry, args.cases, args.seed)
    finally:
        store.close()
    shutil.copytree(STATIC, out / "static", dirs_exist_ok=True)
    page = out / "case-views.html"
    page.write_text(html, encoding="utf-8")
    sys.stdout.write(f"wrote {page}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
