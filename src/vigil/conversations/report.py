"""The text ``vigil chats eval`` prints: one block per scorer, the decoy FPR on its own line."""

from __future__ import annotations

from vigil.conversations.evaluate import ScorerResult
from vigil.conversations.service import ChatEvalResult

NOT_PAN12 = ("These figures are on vigil's PJ-vs-benign author windows; they are not PAN 2012 "
             "figures and are not comparable with them.")


def format_chat_eval(result: ChatEvalResult) -> list[str]:
    report = result.report
    counts = ", ".join(f"{n} {role}" for role, n in report.counts.items())
    lines = [f"author windows: k={report.window}, split seed {report.seed}, test side: {counts}; "
             f"{sum(p for _, p in result.protocol.streams)} offender streams of "
             f"{len(result.protocol.streams)} for latency",
             f"model: {'trained in this run' if result.trained_here else 'loaded'} on "
             f"{len(result.protocol.train)} train + {len(result.protocol.validation)} "
             "validation windows"]
    for result_ in report.results.values():
        lines.extend(_block(result_))
    lines.append(f"PR curve: {result.curve}")
    lines.append(NOT_PAN12)
    return lines


def _block(result: ScorerResult) -> list[str]:
    f = result.figures
    latency = result.latency
    if latency.median is None:
        early = f"not flagged at precision {latency.precision:.2f}"
    else:
        marks = ", ".join(f"{share:.0%} within {n}" for n, share in latency.within.items())
        early = (f"median {latency.median:.0f} messages to flag at stream precision "
                 f"{latency.precision:.2f} (threshold {latency.threshold:.3f}); {marks}; "
                 f"{latency.flagged}/{latency.offenders} offenders flagged, "
                 f"{latency.false_alarms} other authors flagged")
    return [
        f"[{f.name}] threshold {f.threshold:.3f}: precision {f.precision:.3f}  recall "
        f"{f.recall:.3f}  F1 {f.f1:.3f}  F0.5 {f.f05:.3f}  PR-AUC {f.pr_auc:.3f}  "
        f"({f.flagged} of {f.windows} windows flagged)",
        f"[{f.name}] decoy windows' FPR: {f.decoy_fpr:.3f}   (benign windows' FPR "
        f"{f.benign_fpr:.3f})",
        f"[{f.name}] early detection: {early}",
        f"[{f.name}] author level: the offender scored highest in {result.ranked_first[0]} of "
        f"{result.ranked_first[1]} test conversations with an offender and another author",
    ]
