"""``vigil serve`` (the HTTP API under uvicorn) and ``vigil keys`` (who may call it)."""

from __future__ import annotations

import copy
import inspect
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from vigil import DemoWorkspace, KeySpecError, Scope, create_key, demo_workspace, key_store_for
from vigil.cli.common import (
    console,
    errors,
    load_settings,
    opened_store,
    progress_steps,
    registry,
)

keys_app = typer.Typer(help="API keys of the web service: create (shown once), list, revoke.",
                       no_args_is_help=True)
LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8750


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on; keep 127.0.0.1 behind a "
                                           "reverse proxy (docs/deploy.md).")] = LOOPBACK,
    port: Annotated[int, typer.Option(help="TCP port.")] = DEFAULT_PORT,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes.", min=1)] = 1,
    demo: Annotated[bool, typer.Option(
        "--demo", help="Build the demo world into a fresh store in --demo-dir, create a demo "
                       "admin and analyst, print their one-time credentials, and serve it.")]
    = False,
    demo_dir: Annotated[Path, typer.Option(help="Folder for --demo (emptied first).")]
    = Path(".vigil/demo-workspace"),
) -> None:
    """Serve the HTTP API and the analyst workspace (/ui) with uvicorn."""
    import uvicorn

    settings = load_settings()  # fail here, in one line per bad variable, not inside a worker
    if demo:
        with progress_steps("demo workspace") as step:
            built = demo_workspace(demo_dir, settings, registry(), on_step=step)
        os.environ["VIGIL_DATABASE_URL"] = built.main_url
        print_demo_credentials(built, host, port)
    uvicorn.run("vigil.web.app:app_from_environment", factory=True, host=host, port=port,
                workers=workers, timeout_graceful_shutdown=30, log_level="info",
                access_log=False, log_config=_log_config(uvicorn.config.LOGGING_CONFIG),
                **_healthcheck(uvicorn.Config))


WORKER_HEALTHCHECK_S = 60
"""How long uvicorn's supervisor waits for a worker's health answer (its default, 5 s, is shorter
than a busy worker takes to load a million-hash bank index, so workers were killed in a loop)."""


def _healthcheck(config: type) -> dict[str, Any]:
    """``timeout_worker_healthcheck`` where this uvicorn has it (newer releases only)."""
    names = inspect.signature(config).parameters
    return {"timeout_worker_healthcheck": WORKER_HEALTHCHECK_S} \
        if "timeout_worker_healthcheck" in names else {}


def print_demo_credentials(built: DemoWorkspace, host: str, port: int) -> None:
    """The demo accounts' one-time credentials, and where to open the workspace."""
    errors.print(f"demo world: {len(built.result.cases)} cases in tenant '{built.tenant}' "
                 f"({built.main_url})", markup=False)
    for account in built.accounts:
        errors.print(f"  {account.username} ({account.role.value}): password "
                     f"{account.password}  TOTP secret {account.enrolment.secret}",
                     markup=False, soft_wrap=True)
        errors.print(f"    {account.enrolment.uri}", markup=False, soft_wrap=True)
    errors.print("Shown once. Add a secret to an authenticator app, or print a code with\n"
                 "  python -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\"",
                 markup=False)
    errors.print(f"Open http://{host}:{port}/ui/login", markup=False)


def _log_config(base: dict[str, Any]) -> dict[str, Any]:
    """uvicorn's logging, plus vigil's JSON access lines (which replace uvicorn's own)."""
    config = copy.deepcopy(base)
    config["formatters"]["vigil_json"] = {"format": "%(message)s"}
    config["handlers"]["vigil_json"] = {"formatter": "vigil_json", "class": "logging.StreamHandler",
                                        "stream": "ext://sys.stderr"}
    config["loggers"]["vigil.web"] = {"handlers": ["vigil_json"], "level": "INFO",
                                      "propagate": False}
    return config


@keys_app.command("create")
def create_command(
    tenant: Annotated[str, typer.Option(help="The platform this key belongs to; its records "
                                             "live in a store of their own.")],
    scope: Annotated[list[Scope], typer.Option(help="What the key may do (repeat for more).")],
    name: Annotated[str, typer.Option(help="Who holds the key; audited writes name it.")] = "",
    rate: Annotated[float | None, typer.Option(help="Requests per second (default: "
                                                    "VIGIL_API_RATE_PER_S).")] = None,
    burst: Annotated[int | None, typer.Option(help="Burst size (default: VIGIL_API_BURST).")]
    = None,
) -> None:
    """Create an API key and print it once: only a hash of it is stored."""
    settings = load_settings()
    with opened_store(settings) as store:
        try:
            key, token = create_key(key_store_for(store), tenant, scope, name=name,
                                    rate_per_s=rate or settings.api_rate_per_s,
                                    burst=burst or settings.api_burst)
        except KeySpecError as exc:
            errors.print(str(exc), markup=False)
            raise typer.Exit(2) from None
    errors.print(f"key {key.key_id} for tenant {key.tenant}: "
                 f"{', '.join(sorted(s.value for s in key.scopes))}. Shown once; keep it safe:",
                 markup=False)
    print(token)  # noqa: T201 - the one output, plain, for scripts


@keys_app.command("list")
def list_command() -> None:
    """Every key: id, tenant, scopes, holder, limits, and whether it is revoked."""
    table = Table(title="API keys")
    for column in ("id", "tenant", "scopes", "name", "rate/s", "burst", "created", "revoked"):
        table.add_column(column)
    with opened_store(load_settings()) as store:
        for key in key_store_for(store).api_keys():
            table.add_row(key.key_id, key.tenant, " ".join(sorted(s.value for s in key.scopes)),
                          key.name, f"{key.rate_per_s:g}", str(key.burst),
                          key.created_at.isoformat(timespec="seconds"), str(key.revoked))
    console.print(table)


@keys_app.command("revoke")
def revoke_command(
    key_id: Annotated[str, typer.Argument(help="The key's id ('vigil keys list').")],
) -> None:
    """Revoke a key; requests with it get 401 within 2 s (the service caches keys that long)."""
    with opened_store(load_settings()) as store:
        if not key_store_for(store).revoke_key(key_id):
            errors.print(f"no key {key_id!r}", markup=False)
            raise typer.Exit(1)
    errors.print(f"key {key_id} revoked", markup=False)
