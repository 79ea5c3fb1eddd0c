"""``vigil hash``, ``vigil match`` and ``vigil monitor``: media in, hashes and matches out."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vigil import (
    FloodConfig,
    MatchEvent,
    MediaLookup,
    Sampling,
    Settings,
    Store,
    StreamMonitor,
    StreamStats,
    cached_lookup,
    file_error,
    format_vpdq,
    hash_path,
    index_cache_dir,
    keep_findings,
    match_path,
    signal_from_event,
    signal_type,
)
from vigil.cli.common import errors, load_settings, opened_store
from vigil.cli.problems import EXIT_FAILED, print_problem

Files = Annotated[list[Path], typer.Argument(
    help="Pictures or videos; one that cannot be read is named on stderr and skipped.")]

Fps = Annotated[float, typer.Option("--fps", help="Video frames sampled per second.")]


def _emit(row: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(row, sort_keys=False) + "\n")
    sys.stdout.flush()


def hash_command(
    files: Files,
    fps: Fps = 1.0,
    vpdq: Annotated[bool, typer.Option(
        "--vpdq", help="Videos as vPDQ text (frame_number,quality,pdq_hex,timestamp).")] = False,
) -> None:
    """JSON lines of hashes: path, pdq, quality, md5, sha256 (videos: one line per frame).

    Exit codes: 0 every file was read; 1 some file could not be read (each named on stderr with
    the reason, the others still processed); 2 bad usage.
    """
    failed = 0
    for path in files:
        try:
            items = list(hash_path(path, Sampling(frames_per_second=fps)))
        except Exception as exc:  # any file-level failure: named, counted, never a traceback
            print_problem(str(file_error(path, exc)))
            failed += 1
            continue
        frames = [item.frame for item in items if item.frame is not None]
        if vpdq and frames:
            sys.stdout.write(format_vpdq(frames))
        elif vpdq:
            print_problem(f"{path}: a picture, not a video; vPDQ is for videos")
            failed += 1
        else:
            for item in items:
                _emit(item.as_json())
    if failed:
        raise typer.Exit(EXIT_FAILED)



def match_command(files: Files, fps: Fps = 1.0) -> None:
    """JSON lines of bank matches: path, bank, label, distance, variant (and frame for videos).

    Exit codes: 0 every file was read; 1 some file could not be read (each named on stderr with
    the reason, the others still processed); 2 bad usage.
    """
    settings = load_settings()
    with opened_store(settings) as store:
        lookup = _lookup(store, settings)
    failed = 0
    for path in files:
        try:
            for item, found in match_path(path, lookup, Sampling(frames_per_second=fps)):
                entry = found.match.entry
                row: dict[str, object] = {"path": str(path), "bank": entry.bank,
                                          "label": entry.label, "signal_type": entry.signal_type,
                                          "hash": entry.hash, "distance": found.match.distance,
                                          "variant": found.variant}
                if item.frame is not None and signal_type(entry.signal_type).is_similarity():
                    row |= {"frame_number": item.frame.frame_number,
                            "timestamp_s": round(item.frame.timestamp_s, 3)}
                _emit(row)
        except Exception as exc:  # any file-level failure: named, counted, never a traceback
            print_problem(str(file_error(path, exc)))
            failed += 1
    if failed:
        raise typer.Exit(EXIT_FAILED)



def _lookup(store: Store, settings: Settings, flood: FloodConfig | None = None) -> MediaLookup:
    """The banks' lookup, its index loaded from the index cache when the banks are unchanged."""
    cache = settings.index_cache_dir or index_cache_dir(settings.database_url)
    return cached_lookup(store, settings.media_index, cache, flood)


def monitor_command(
    sources: Annotated[list[str], typer.Argument(
        help="Files, rtmp://, rtsp://, http(s)://...m3u8 URLs, or - for stdin.")],
    fps: Fps = 1.0,
    account: Annotated[str | None, typer.Option(
        help="The streaming account (platform:handle), named in every signal.")] = None,
    duration: Annotated[float | None, typer.Option(
        help="Stop after this many seconds (default: when every source ends).")] = None,
    realtime: Annotated[bool, typer.Option(help="Pace files at their own frame rate.")] = False,
    store_signals: Annotated[bool, typer.Option(
        "--store/--no-store", help="Keep matched frames (hashes) and signals in the store.")]
    = False,
) -> None:
    """Sample, hash and match live streams; print a JSON line per matched frame, then stats.

    Exit codes: 0 every stream ran; 1 some stream failed (each named on stderr with the reason,
    the others still monitored); 2 bad usage.
    """
    settings = load_settings()
    with opened_store(settings) as store:
        lookup = _lookup(store, settings, FloodConfig())
    events: list[MatchEvent] = []

    def on_event(event: MatchEvent) -> None:
        events.append(event)
        signal = signal_from_event(event, account)
        _emit({"signal_id": signal.id, "score": signal.score, **signal.evidence,
               "explanation": signal.explanation})

    with StreamMonitor(lookup, sampling=Sampling(frames_per_second=fps),
                       on_event=on_event) as monitor:
        for number, source in enumerate(sources, start=1):
            monitor.add_stream(sys.stdin.buffer if source == "-" else source,
                               f"stream-{number}", realtime=realtime)
        monitor.wait(duration)
        stats = monitor.stop()
    pauses = lookup.take_pauses()
    for pause in pauses:
        errors.print(f"flood: {pause.bank}/{pause.hash}: {pause.reason()}")
    if store_signals and (events or pauses):
        with opened_store(settings) as store:
            keep_findings(store, events, pauses, account)
    errors.print(stats_table(stats))
    failed = [s for s in stats.values() if s.state == "failed"]
    for s in failed:
        print_problem(f"{s.source}: failed: {s.error or 'no reason given'}")
    if failed:
        raise typer.Exit(EXIT_FAILED)


def stats_table(stats: dict[str, StreamStats]) -> Table:
    table = Table(title="streams")
    for column in ("stream", "state", "sampled fps", "hashed", "matches", "drops",
                   "latency p50 ms", "latency p99 ms"):
        table.add_column(column)
    for stream_id, s in stats.items():
        table.add_row(stream_id, s.state, f"{s.sampled_fps:.2f}", str(s.frames_hashed),
                      str(s.matches), str(s.drops), _ms(s.latency_p50_s), _ms(s.latency_p99_s))
    return table


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f}"
