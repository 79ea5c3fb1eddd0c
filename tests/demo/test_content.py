import re
from collections import defaultdict

from vigil.conversations.extract import extract_identifiers
from vigil.demo import World
from vigil.demo.chats import BENIGN_SCRIPTS, wallet_text
from vigil.media.hashing.pdq import hamming_hex
from vigil.media.index.base import PDQ_MATCH_THRESHOLD
from vigil.model import EntityRef

SEXUAL_TERMS = (
    "sex", "sexual", "sexually", "sexy", "nude", "nudes", "nudity", "naked", "porn", "porno",
    "pornography", "explicit", "undress", "undressed", "strip", "stripping", "lingerie",
    "underwear", "bikini", "erotic", "xxx", "nsfw", "horny", "breast", "breasts", "genital",
    "genitals", "intimate", "kiss", "kissing", "touch", "touching", "body", "bodies", "bed",
    "bedroom", "shower", "bath", "gnrn", "gnoc", "cheese pizza",
)
DENYLIST = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in SEXUAL_TERMS) + r")\b",
                      re.IGNORECASE)


def _free_text(world: World) -> list[str]:
    return ([m.text for m in world.messages] + [p.reference for p in world.payments]
            + [r.reason for r in world.reports])


def test_no_generated_text_contains_a_sexual_term(world: World) -> None:
    hits = [text for text in _free_text(world) if DENYLIST.search(text)]
    assert hits == []


def test_the_denylist_would_catch_a_term() -> None:
    assert DENYLIST.search("a NUDE picture") is not None
    assert DENYLIST.search("send the payment to gcash") is None


def test_every_ring_chat_names_a_wallet_its_payments_go_to(world: World) -> None:
    received = {f"payment_account:{p.beneficiary}" for p in world.payments}
    for ring in world.truth.rings:
        conversations = {e.partition(":")[2] for e in ring.entities
                         if e.startswith("conversation:")}
        named = {str(ref) for m in world.messages if m.conversation_id in conversations
                 for ref in extract_identifiers(m.text)}
        wallets = {e for e in named if e.startswith("payment_account:")}
        assert wallets, ring.ring_id
        assert wallets <= ring.entities & received, ring.ring_id


def test_wallet_text_is_read_back_as_the_same_account() -> None:
    import random

    rng = random.Random(1)
    for _ in range(20):
        text = f"send to my {wallet_text(rng, 'gcash:+639171234567')} tonight"
        assert EntityRef.parse("payment_account:gcash:+639171234567") in extract_identifiers(text)


def test_ring_streams_reshow_banked_pictures_and_benign_photos_do_not(world: World) -> None:
    bank = [e.hash for e in world.bank if e.signal_type == "pdq"]
    ring_accounts = world.truth.ring_entities()
    nearest: dict[str, list[int]] = defaultdict(list)
    for observation in world.media:
        if observation.pdq is None or (observation.quality or 0) < 50:
            continue
        distance = min(hamming_hex(observation.pdq, h) for h in bank)
        side = "ring" if f"account:{observation.account}" in ring_accounts else \
            "benign photo" if observation.observation_id.startswith("photo-") else "benign file"
        nearest[side].append(distance)
    assert sum(d <= PDQ_MATCH_THRESHOLD for d in nearest["ring"]) >= 20
    assert all(d > PDQ_MATCH_THRESHOLD * 2 for d in nearest["benign photo"])
    # look-alikes forward a known picture once each (outrage sharing), never more
    assert 1 <= len(nearest["benign file"]) <= 8
    assert all(d == 0 for d in nearest["benign file"])


def test_some_reports_carry_frames_that_match_the_bank(world: World) -> None:
    bank = [e.hash for e in world.bank if e.signal_type == "pdq"]
    matching = [r for r in world.reports
                if any(min(hamming_hex(f, h) for h in bank) <= PDQ_MATCH_THRESHOLD
                       for f in r.frame_pdqs)]
    ring_accounts = world.truth.ring_entities()
    assert matching
    assert all(f"account:{r.reported}" in ring_accounts for r in matching)
    noise = [r for r in world.reports if f"account:{r.reported}" not in ring_accounts]
    assert noise and all(not r.frame_pdqs for r in noise)


def test_benign_scripts_have_no_placeholders_left(world: World) -> None:
    assert BENIGN_SCRIPTS
    assert not [m.text for m in world.messages if "{" in m.text or "}" in m.text]
