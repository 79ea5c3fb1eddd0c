"""Assemble a payment world from a seed and write it: payments CSV, truth CSV apart.

The payments file is the canonical CSV :mod:`vigil.importers.csv_payments` reads; the truth
file (account, role, group) lies beside it, written separately, and nothing in vigil's detector
reads it: only benchmarks and tests do, to measure.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vigil.demo.payworld import benign
from vigil.demo.payworld import calibration as cal
from vigil.demo.payworld.buyers import buyers, victims
from vigil.demo.payworld.parties import AccountFactory
from vigil.demo.payworld.txn import CSV_FIELDS, Role, Txn

START = datetime(2024, 1, 1, tzinfo=UTC)

SENDER_MIX = (("family", 0.50), ("extended_family", 0.12), ("in_laws", 0.06),
              ("charity_donor", 0.15), ("employer", 0.02))
"""Shares of senders by benign kind (vigil assumption); the rest is background traffic."""


@dataclass(frozen=True)
class PayWorld:
    """Payments in time order and the ground truth of every account that took part."""

    seed: int
    txns: list[Txn]
    roles: list[Role]

    def senders(self) -> set[str]:
        return {txn.sender.account for txn in self.txns}


def _benign(factory: AccountFactory, senders: int, days: int) -> tuple[list[Txn], list[Role]]:
    txns: list[Txn] = []
    roles: list[Role] = []
    orgs = benign.charities(factory, 6)
    roles += [Role(org.account, "charity", "charity") for org in orgs]
    for kind, share in SENDER_MIX:
        for i in range(round(senders * share)):
            group = f"{kind}{i}"
            if kind in ("family", "extended_family"):
                made, kin = benign.family(factory, START, days, kind == "extended_family")
            elif kind == "in_laws":
                made, kin = benign.in_laws(factory, START, days)
            elif kind == "employer":
                made, kin = benign.employer(factory, START, days)
            else:
                made, kin = benign.donor(factory, orgs, START, days), []
            txns += made
            roles += [Role(sender, kind, group)
                      for sender in sorted({t.sender.account for t in made})]
            roles += [Role(k.account, "assistant" if kind == "employer" else "kin", group)
                      for k in kin]
    return txns, roles


def generate_payworld(seed: int, senders: int = 5000, days: int = 730) -> PayWorld:
    """A world of about ``senders`` senders over ``days`` days; the same seed, the same world."""
    factory = AccountFactory(random.Random(seed))
    bought, buyer_roles = buyers(factory, max(3, round(senders * cal.BUYER_SHARE)), START, days)
    extorted, victim_roles = victims(factory, max(1, round(senders * cal.VICTIM_SHARE)), START,
                                     days)
    honest, benign_roles = _benign(factory, senders, days)
    made = len({t.sender.account for t in bought + extorted + honest})
    others = [benign.background(factory, START, days) for _ in range(max(0, senders - made))]
    txns = sorted(bought + extorted + honest + [t for batch in others for t in batch],
                  key=lambda t: (t.sent_at, t.sender.account))
    roles = buyer_roles + victim_roles + benign_roles + [
        Role(batch[0].sender.account, "background", "background") for batch in others if batch]
    return PayWorld(seed, txns, roles)


def write_payworld(world: PayWorld, payments: Path, truth: Path) -> None:
    """The canonical payment CSV at ``payments`` and the ground truth at ``truth``."""
    with payments.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for number, txn in enumerate(world.txns):
            writer.writerow(txn.row(f"w{world.seed}-{number:07d}"))
    with truth.open("w", newline="", encoding="utf-8") as out:
        rows = csv.writer(out)
        rows.writerow(("account", "role", "group"))
        rows.writerows((r.account, r.role, r.group) for r in world.roles)


def read_truth(path: Path) -> dict[str, str]:
    """``account -> role`` from a truth file (benchmarks and tests only)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["account"]: row["role"] for row in csv.DictReader(handle)}
