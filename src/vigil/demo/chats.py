"""Synthetic chat: live-show negotiation, contact with victims' accounts, and everyday chat.

Text rules: neutral indicator phrases only - asking age, moving to another app, price and payment
instructions, secrecy, threats to share, scheduling a paid "show" (the published indicators of
IJM, Thorn & NCMEC, ChatCoder2) - and never any sexual content or description of anyone. The payment
instruction names the facilitator's wallet the way facilitators write it ("send to gcash 0917 ..."),
which is what joins a chat to the payments that wallet receives.

Everyday chat is written as bait: prices, e-wallets, meeting times, other apps, a parent asking a
child's age, a surprise kept secret - each alone, as in ordinary life, seldom together.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from vigil.demo.actors import Person
from vigil.demo.money import Transfer
from vigil.records import ChatMessage

BUYER_OPENERS = (
    "hi, a friend gave me your name. do you still arrange private shows?",
    "hello, saw your profile. are you the one who does the paid sessions?",
    "hi, is the live show still available this week?",
)
PRICE_QUOTES = ("yes po. ${usd} per show, 20 minutes", "the price is ${usd} for one session",
                "yes. show for ${usd}, pay first")
PAYMENT_INSTRUCTIONS = (
    "send to my {wallet}, name {name}. pay first then we schedule",
    "payment first. {wallet} under {name}",
    "send the money to {wallet} ({name}) then send me the screenshot",
)
BUYER_CONFIRMS = ("sent by {channel}, check please", "done, sent. reference says {reference}",
                  "payment sent, check please")
SCHEDULES = ("received. show tonight at {hour} my time, same link",
             "ok got it. be online at {hour}", "received po. {hour} tonight")
BUYER_SECRECY = ("don't tell anyone about this. delete the chat after", "keep this between us ok",
                 "nobody can know about our sessions")
BUYER_MOVES = ("add me on telegram, easier there", "let's move to signal next time")
REPEAT_ASKS = ("can we book another show this week?", "same time tonight? i can pay now",
               "want to schedule a session for friday")
REPEAT_SAME_WALLET = ("yes, same price. send to {wallet} again", "ok, ${usd}. {wallet} same name")
REPEAT_NEW_WALLET = ("ok. this time send to my cousin's {wallet}, name {name}",
                     "use the other account please: {wallet}, {name}")
REPEAT_CONFIRMS = ("sent", "sent, check please", "done")
REPEAT_SCHEDULES = ("received, {hour}", "ok see you at {hour}")

GROOMING_LINES = (
    ("hi, how old are you?", "hey there, what grade are you in?"),
    ("why?", "who is this?", "13", "i'm 12 why", "grade 6"),
    ("just asking. are your parents home?", "is your mom at work now?"),
    ("no, they're at work", "mama is at the market"),
    ("let's move to telegram, it's more private", "add me on whatsapp, this app is slow"),
    ("don't tell your mom we talk, it's our secret", "keep this between us ok?"),
)
THREAT_LINE = "answer me or i will send it to your family"
VICTIM_CLOSERS = ("ok", "i have to go")


@dataclass
class Thread:
    """One conversation between two platform accounts, built message by message."""

    conversation_id: str
    first: Person
    second: Person
    messages: list[ChatMessage] = field(default_factory=list)

    def say(self, speaker: Person, at: datetime, text: str) -> datetime:
        """Add a message from ``speaker`` to the other party; returns its time for chaining."""
        listener = self.second if speaker is self.first else self.first
        if speaker.account is None or listener.account is None:
            raise ValueError("both parties of a chat need platform accounts")
        number = len(self.messages) + 1
        self.messages.append(ChatMessage(
            conversation_id=self.conversation_id,
            message_id=f"{self.conversation_id.partition(':')[2]}-{number:03d}",
            sender=speaker.account, recipient=listener.account, sent_at=at, text=text,
            sender_ip=speaker.ip, sender_device=speaker.device))
        return at


def wallet_text(rng: random.Random, payment_account: str) -> str:
    """A wallet as people type it: "gcash 0917 123 4567", "maya 09171234567", "gcash 0917-..."."""
    provider, _, ident = payment_account.partition(":")
    if ident.startswith("+63"):
        local = "0" + ident[3:]
        ident = rng.choice((local, f"{local[:4]} {local[4:7]} {local[7:]}",
                            f"{local[:4]}-{local[4:7]}-{local[7:]}"))
    return f"{provider} {ident}"


def _hour(rng: random.Random) -> str:
    return f"{rng.choice((7, 8, 9, 10, 11))}pm"


def _next(rng: random.Random, at: datetime, low: float = 1, high: float = 20) -> datetime:
    return at + timedelta(minutes=rng.uniform(low, high))


def negotiation(rng: random.Random, thread: Thread, buyer: Person, facilitator: Person,
                transfers: Sequence[Transfer]) -> None:
    """Buyer and facilitator agree a show, price and wallet before the buyer's payments."""
    previous_wallet = None
    for index, transfer in enumerate(transfers):
        wallet = wallet_text(rng, transfer.beneficiary.payment_account)
        values = {"usd": str(round(transfer.amount_usd)), "wallet": wallet, "hour": _hour(rng),
                  "name": transfer.beneficiary.name, "channel": buyer_channel(buyer),
                  "reference": transfer.reference or "gift"}
        if index == 0:
            _first_session(rng, thread, buyer, facilitator, transfer, values)
        elif transfer.beneficiary.payment_account != previous_wallet or rng.random() < 0.35:
            changed = previous_wallet is not None and \
                transfer.beneficiary.payment_account != previous_wallet
            _repeat_session(rng, thread, buyer, facilitator, transfer, values, changed)
        previous_wallet = transfer.beneficiary.payment_account


def buyer_channel(buyer: Person) -> str:
    return (buyer.payment_account or "bank").partition(":")[0]


def _first_session(rng: random.Random, thread: Thread, buyer: Person, facilitator: Person,
                   transfer: Transfer, values: dict[str, str]) -> None:
    at = transfer.sent_at - timedelta(minutes=rng.uniform(60, 240))
    at = thread.say(buyer, at, rng.choice(BUYER_OPENERS))
    at = thread.say(facilitator, _next(rng, at), rng.choice(PRICE_QUOTES).format(**values))
    at = thread.say(buyer, _next(rng, at), "ok. how do i pay?")
    thread.say(facilitator, _next(rng, at), rng.choice(PAYMENT_INSTRUCTIONS).format(**values))
    at = thread.say(buyer, _next(rng, transfer.sent_at, 1, 5),
                    rng.choice(BUYER_CONFIRMS).format(**values))
    at = thread.say(facilitator, _next(rng, at), rng.choice(SCHEDULES).format(**values))
    if rng.random() < 0.7:
        at = thread.say(buyer, _next(rng, at), rng.choice(BUYER_SECRECY))
    if rng.random() < 0.4:
        thread.say(buyer, _next(rng, at), rng.choice(BUYER_MOVES))


def _repeat_session(rng: random.Random, thread: Thread, buyer: Person, facilitator: Person,
                    transfer: Transfer, values: dict[str, str], changed: bool) -> None:
    at = transfer.sent_at - timedelta(minutes=rng.uniform(20, 120))
    at = thread.say(buyer, at, rng.choice(REPEAT_ASKS))
    lines = REPEAT_NEW_WALLET if changed else REPEAT_SAME_WALLET
    thread.say(facilitator, _next(rng, at), rng.choice(lines).format(**values))
    at = thread.say(buyer, _next(rng, transfer.sent_at, 1, 5), rng.choice(REPEAT_CONFIRMS))
    thread.say(facilitator, _next(rng, at), rng.choice(REPEAT_SCHEDULES).format(**values))


def grooming_contact(rng: random.Random, thread: Thread, buyer: Person, victim: Person,
                     at: datetime, threatens: bool) -> None:
    """A buyer messaging a victim's account: age, who is home, another app, secrecy."""
    for step, variants in enumerate(GROOMING_LINES):
        speaker = victim if step in (1, 3) else buyer
        at = thread.say(speaker, at, rng.choice(variants))
        at = _next(rng, at, 1, 30)
    if threatens:
        at = thread.say(buyer, at + timedelta(days=rng.uniform(1, 4)), THREAT_LINE)
    thread.say(victim, _next(rng, at), rng.choice(VICTIM_CLOSERS))


Exchange = tuple[tuple[int, tuple[str, ...]], ...]
"""Lines that answer each other: (0 = first party or 1 = second, variants). One variant index is
drawn per exchange, so the n-th answer goes with the n-th question."""

BENIGN_SCRIPTS: dict[str, tuple[Exchange, ...]] = {
    "family": (
        ((0, ("sent the allowance today, check your gcash", "sent the money for the school fees",
              "padala sent, check it later")),
         (1, ("received po, thank you!", "received, thank you. will pay the tuition tomorrow",
              "got it, salamat!"))),
        ((0, ("say hi to lola. call on sunday?", "how is papa's knee?", "is the roof fixed now?")),
         (1, ("yes, sunday after church", "better now, clinic again on monday",
              "yes, the neighbour helped"))),
    ),
    "family_wallet": (
        ((1, ("my new number for padala is {wallet}, please use that from now on",
              "i changed number, new {wallet}")),
         (0, ("ok noted", "ok will use that next time"))),
    ),
    "market": (
        ((0, ("hi, is the {item} still available?", "good day, how much is the {item}?")),
         (1, ("yes, the price is {php} pesos", "{php} pesos, still negotiable"))),
        ((0, ("can we meet at {place} on saturday at {clock}?",
              "can you ship it? i can pay by gcash")),
         (1, ("ok see you there", "ok. send to my {wallet} and i'll ship it")),
         (0, ("deal, thanks", "sent, thanks!"))),
    ),
    "friends": (
        ((0, ("movie tonight at {clock}?", "dinner this friday?", "coming to the game on sunday?")),
         (1, ("can't, i work until 9. tomorrow?", "yes! where?", "maybe, what time?")),
         (0, ("ok, download the new cinema app, tickets are cheaper there",
              "the usual place, {clock}", "it starts at {clock}"))),
        ((1, ("let's move this to viber, the group chat is there", "see you", "sounds good")),),
    ),
    "parents": (
        ((0, ("how old is your son now?", "is your daughter in the same class as mine this year?")),
         (1, ("he turned 10 last month, time flies", "yes, grade 4 with teacher ana"))),
        ((0, ("pickup is at 3pm tomorrow, can you take mine too?",
              "the school fair is on friday, are you going?")),
         (1, ("sure, no problem", "yes, i'll bring snacks"))),
    ),
    "gaming": (
        ((0, ("online tonight? the new season starts at {clock}", "one more match later?")),
         (1, ("yes, add me on discord, same name", "sure, after dinner")),
         (0, ("nice, see you there", "ok"))),
    ),
    "surprise": (
        ((0, ("is your mom home? i want to drop off the cake",)),
         (1, ("she's out until 5",)),
         (0, ("great, it's a surprise party, don't tell mom!",)),
         (1, ("haha ok, see you at 6",))),
    ),
}
MARKET_ITEMS = ("bike", "rice cooker", "school bag", "phone case", "electric fan", "study table")
PLACES = ("the mall", "the church", "the jeepney terminal", "the plaza")


def everyday_values(rng: random.Random, wallet: str | None) -> dict[str, str]:
    """Fillers for the benign scripts: an item and its price, a place, a time, a wallet."""
    return {"item": rng.choice(MARKET_ITEMS), "php": str(rng.randrange(300, 5000, 50)),
            "place": rng.choice(PLACES), "clock": f"{rng.randint(3, 9)}pm",
            "wallet": wallet_text(rng, wallet) if wallet else "gcash"}


def scripted(rng: random.Random, thread: Thread, script: str, at: datetime,
             values: dict[str, str],
             scripts: Mapping[str, tuple[Exchange, ...]] = BENIGN_SCRIPTS) -> datetime:
    """Play one benign script from ``at``; returns the time of its last message."""
    speakers = (thread.first, thread.second)
    for exchange in scripts[script]:
        pick = rng.randrange(max(len(variants) for _, variants in exchange))
        for speaker, variants in exchange:
            at = thread.say(speakers[speaker], at, variants[pick % len(variants)].format(**values))
            at = _next(rng, at, 1, 45)
    return at
