"""``vigil accounts``: create workspace accounts, list them, unlock a locked one."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.table import Table

from vigil import AccountError, AccountService, Role, SessionRules, account_store
from vigil.cli.common import console, errors, load_settings, opened_store

app = typer.Typer(help="Create workspace accounts (password and TOTP), list them, unlock one.",
                  no_args_is_help=True)


def _operator(admin: str | None) -> str:
    """Who runs the command, for the audit trail: ``--admin``, else the OS user."""
    return admin or f"cli:{getpass.getuser()}"


@app.command("create")
def create_command(
    username: Annotated[str, typer.Option(help="Login name: letters, digits, . _ @ -.")],
    role: Annotated[Role, typer.Option(help="admin, analyst, reviewer or auditor.")],
    tenant: Annotated[str, typer.Option(help="The organisation whose cases the account sees.")],
    password: Annotated[str, typer.Option(
        prompt=True, hide_input=True, confirmation_prompt=True,
        help="At least 8 characters; asked for when not given (keep it out of shell history).")],
    admin: Annotated[str | None, typer.Option(
        help="Who creates the account, for the custody log; default: the OS user.")] = None,
) -> None:
    """Create an account and print its TOTP secret and otpauth URI, once."""
    settings = load_settings()
    with opened_store(settings) as store:
        service = AccountService(account_store(store), store, SessionRules.from_settings(settings))
        try:
            enrolment = service.create_account(username, role, tenant, password,
                                               created_by=_operator(admin))
        except (AccountError, ValueError) as exc:
            errors.print(f"vigil accounts create: {exc}")
            raise typer.Exit(1) from None
    typer.echo(f"created {role.value} {username!r} in tenant {tenant!r}")
    typer.echo("Add this to an authenticator app now; it is not shown again:")
    typer.echo(f"  TOTP secret: {enrolment.secret}")
    typer.echo(f"  otpauth URI: {enrolment.uri}")


@app.command("list")
def list_command() -> None:
    """Every account with its role, tenant, whether it is locked, and its last logon."""
    with opened_store(load_settings()) as store:
        accounts = AccountService(account_store(store), store).accounts()
    table = Table(title=f"{len(accounts)} accounts")
    for column in ("username", "role", "tenant", "state", "created (UTC)", "last logon (UTC)"):
        table.add_column(column, overflow="fold")
    for a in accounts:
        state = "disabled" if a.disabled else (
            f"locked since {a.locked_at:%Y-%m-%d %H:%M}" if a.locked_at else "open")
        last = f"{a.last_logon:%Y-%m-%d %H:%M}" if a.last_logon else "never"
        table.add_row(a.username, a.role.value, a.tenant, state,
                      f"{a.created_at:%Y-%m-%d %H:%M}", last)
    console.print(table)


@app.command("unlock")
def unlock_command(
    username: Annotated[str, typer.Argument(help="The locked account.")],
    admin: Annotated[str, typer.Option(help="The administrator releasing it (audited).")],
    reason: Annotated[str, typer.Option(help="Why it is released (audited).")],
) -> None:
    """Release an account locked after failed logons; audited with the admin and the reason."""
    with opened_store(load_settings()) as store:
        try:
            AccountService(account_store(store), store).unlock(username, admin=admin,
                                                               reason=reason)
        except (AccountError, ValueError) as exc:
            errors.print(f"vigil accounts unlock: {exc}")
            raise typer.Exit(1) from None
    typer.echo(f"unlocked {username!r}")
