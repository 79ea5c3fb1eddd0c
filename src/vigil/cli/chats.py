"""``vigil chats``: evaluate the conversation detector, build its model, scan chat files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vigil import (
    ChatFileError,
    ChatScan,
    build_chat_model,
    format_chat_eval,
    run_chat_eval,
    scan_chat_files,
)
from vigil.cli.common import console, errors, load_settings

app = typer.Typer(help="Conversations: evaluate, build the chat model, scan chat files.",
                  no_args_is_help=True)


@app.command("eval")
def eval_command(
    data_dir: Annotated[Path, typer.Argument(
        help="Folder of labelled .jsonl/.jsonl.gz files (conversation_id, messages, "
             "predator_authors).", exists=True, file_okay=False)],
    curve: Annotated[Path, typer.Option(help="Where to write the PR curve PNG.")] = Path(
        "chats-pr.png"),
    model: Annotated[Path | None, typer.Option(
        help="A model built by `make model-chats` on this data; trained in the run if left "
             "out.")] = None,
) -> None:
    """Author-window evaluation (k=10, split by offender): P, R, F1, F0.5, PR-AUC, decoy FPR,
    early-detection latency, for the model, the TF-IDF baseline and the lexicon."""
    try:
        result = run_chat_eval(data_dir, curve, load_settings(), model)
    except ValueError as exc:
        errors.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    for line in format_chat_eval(result):
        console.print(line, highlight=False, markup=False)


@app.command("train")
def train_command(
    data_dir: Annotated[Path, typer.Argument(
        help="Folder of labelled .jsonl/.jsonl.gz files.", exists=True, file_okay=False)],
    out: Annotated[Path, typer.Option(help="Model file to write (keep it out of git).")] = Path(
        ".vigil/models/chat-model.pkl"),
) -> None:
    """Build the chat model from the train side of the split (what `make model-chats` runs)."""
    try:
        model = build_chat_model(data_dir, out, load_settings())
    except ValueError as exc:
        errors.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    console.print(f"chat model written to {out} (threshold {model.threshold:.2f}, trained on "
                  f"{model.trained_on}); set VIGIL_CHAT_MODEL={out} to use it", highlight=False)


@app.command("scan")
def scan_command(
    files: Annotated[list[Path], typer.Argument(
        help="Chat files: minimal JSON Lines (optionally .gz), vigil messages or CSV.")],
    as_json: Annotated[bool, typer.Option(
        "--json", help="One JSON object per conversation on stdout.")] = False,
    top: Annotated[int, typer.Option(help="Rows in the table.")] = 20,
    reveal: Annotated[bool, typer.Option(
        help="Show the weighing phrases unmasked (they are masked by default).")] = False,
) -> None:
    """Score every conversation and author; flags the likely offender, early."""
    try:
        scan = scan_chat_files(files, load_settings(), reveal)
    except (ChatFileError, ValueError) as exc:
        errors.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    for entry in scan.batch.quarantined:
        errors.print(f"quarantined: {entry.source}:{entry.line}: {entry.reason}",
                     highlight=False, markup=False, soft_wrap=True)
    if not scan.model_used:
        errors.print("no chat model (VIGIL_CHAT_MODEL unset): scored by the lexicon alone")
    if as_json:
        for result in scan.results:
            typer.echo(json.dumps(result.to_json(), ensure_ascii=False))
        return
    console.print(_table(scan, top))


def _table(scan: ChatScan, top: int) -> Table:
    table = Table(title=f"Top conversations ({len(scan.results)} scanned)")
    for column in ("conversation", "score", "labels", "likely offender", "after msgs",
                   "scored by", "phrases"):
        table.add_column(column)
    ranked = sorted(scan.results, key=lambda r: (-r.score, r.conversation_id))[:top]
    for result in ranked:
        offender = result.likely_offender()
        author = result.authors[offender] if offender else None
        table.add_row(
            result.conversation_id, f"{result.score:.3f}", ", ".join(result.labels),
            offender or "-", str(author.flagged_after) if author else "-",
            author.scored_by if author else "-",
            ", ".join(author.phrases[:4]) if author else "")
    return table
