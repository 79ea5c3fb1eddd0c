"""A server starter for the crash test: imports vigil's web app once, then forks a server per line.

Each line read from stdin is a port; the zygote forks a child that builds the app with settings
from ``VIGIL_*`` variables and serves it with uvicorn on 127.0.0.1 at that port, and writes the
child's pid back. The child is a separate process the test ``kill -9``s; forking after the
imports makes a restart take milliseconds instead of the seconds a cold ``vigil serve`` needs,
so hundreds of crash iterations fit in a test run. Nothing is opened before the fork: every
store, engine and thread is the child's own.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile

import uvicorn

from vigil import Settings
from vigil.web.app import create_app


def serve(port: int) -> None:
    """The child: one uvicorn server on loopback until it is killed."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    app = create_app(Settings(), background=False)
    tenant = os.environ.get("VIGIL_CRASH_TENANT")
    if tenant:  # open the tenant's store now, so kills land in requests, not in start-up
        app.state.vigil.tenants.get(tenant)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    os._exit(0)


def warm_up() -> None:
    """Import everything a server imports on first use, once, before any fork.

    vigil imports most modules on first use; done here, each forked server starts with them
    loaded. Every store, engine and thread made here is closed again before the first fork.
    """
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{folder}/warm.db")
        app = create_app(settings, background=False)
        app.state.vigil.tenants.get("warm")
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning").load()
        app.state.vigil.tenants.close()
        app.state.vigil.main_store.close()


def main() -> None:
    warm_up()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    for line in sys.stdin:
        port = int(line)
        pid = os.fork()
        if pid == 0:
            serve(port)
        sys.stdout.write(f"{pid}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
