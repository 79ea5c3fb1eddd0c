"""``vigil share``: keyed-hash lists of identifiers for a partner, and matching theirs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from vigil import (
    AnonymousActorError,
    PartnerKeyError,
    Settings,
    ShareFileError,
    load_partner_keys,
    partner_key,
    share_export,
    share_import,
)
from vigil.cli.common import console, load_settings, opened_store, say

app = typer.Typer(help="Share pseudonymised identifiers with a partner (HMAC-SHA-256).",
                  no_args_is_help=True)
Analyst = Annotated[str, typer.Option(help="Your name: recorded in the audit log.")]
Partner = Annotated[str, typer.Option(help="The partner's name in the VIGIL_SHARE_KEYS file.")]


def _key(settings: Settings, partner: str) -> bytes:
    return partner_key(load_partner_keys(settings.share_keys), partner)


@app.command("export")
def export_list(
    partner: Partner,
    analyst: Analyst,
    out: Annotated[Path | None, typer.Option(
        help="File to write; without it the list goes to standard output.", dir_okay=False)]
    = None,
) -> None:
    """Pseudonymise the reported identifiers of the cases the human gate lets out."""
    settings = load_settings()
    with refused(), opened_store(settings) as store:
        shared = share_export(store, store, partner, _key(settings, partner), actor=analyst)
    if out is None:
        typer.echo(shared.text, nl=False)
        return
    out.write_bytes(shared.text.encode("utf-8"))
    say(f"{shared.identifiers} pseudonym(s) from {len(shared.cases)} case(s) for {partner} in "
        f"{out} (sha256 {shared.sha256})")


@app.command("import")
def import_list(
    file: Annotated[Path, typer.Argument(help="A partner's shared list.", exists=True,
                                         dir_okay=False)],
    partner: Partner,
    analyst: Analyst,
) -> None:
    """Match a partner's list against local identifiers; each match becomes a signal."""
    settings = load_settings()
    with refused(), opened_store(settings) as store:
        found = share_import(store, store, store, file.read_text(encoding="utf-8"), partner,
                             _key(settings, partner), actor=analyst, origin=str(file))
    for signal in found:
        console.print(f"match: {signal.subjects[0]}", markup=False)
    console.print(f"{len(found)} identifier(s) in common with {partner}; 'vigil run' links them")


@contextmanager
def refused() -> Iterator[None]:
    """Bad keys, files or names: one line and exit 2."""
    try:
        yield
    except AnonymousActorError:
        say("--analyst must name the person sharing")
        raise typer.Exit(2) from None
    except (PartnerKeyError, ShareFileError) as exc:
        say(f"vigil: {exc}")
        raise typer.Exit(2) from None
