"""Unicode spellings of one identifier link; different identifiers stay apart (probe finding 6)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vigil.homoglyphs import _representatives, fold
from vigil.identifiers import EntityKind, normalise
from vigil.model import EntityRef
from vigil.records import ORIGINALS_KEY, Payment, RecordKind, identifiers_of, record_from_dict
from vigil.store.codec import record_from_json, record_to_json

A, P, PH, E, IP, D = (EntityKind.ACCOUNT, EntityKind.PAYMENT_ACCOUNT, EntityKind.PHONE,
                      EntityKind.EMAIL, EntityKind.IP, EntityKind.DEVICE)
ADDRESS = "0xabcdef0123456789abcdef0123456789abcdef01"

MUST_LINK = [
    (A, "vidchat:jos\u00e9", "vidchat:jose\u0301"),                    # NFC vs NFD
    (A, "vidchat:alice", "vidchat:al\u200dice"),                      # zero-width joiner
    (A, "vidchat:alice", "vidchat:al\u200bice"),                      # zero-width space
    (A, "vidchat:alice", "vidchat:al\u200cice\u2060"),                # ZWNJ, word joiner
    (A, "vidchat:alice", "\ufeffvidchat:alice"),                      # byte-order mark
    (A, "vidchat:alice", "vidchat:ali\u00adce"),                      # soft hyphen
    (A, "vidchat:alice", "vidchat:al\u202eice"),                      # bidi override (Cf)
    (A, "vidchat:alice", "vidchat:alice\ufe0f"),                      # variation selector
    (A, "vidchat:alice", "vidchat:\u0430lice"),                       # Cyrillic a
    (A, "vidchat:bob", "vidchat:b\u03bfb"),                           # Greek omicron
    (A, "vidchat:ivan", "vidchat:\u0406van"),                         # Cyrillic capital I
    (A, "vidchat:pay", "vidchat:\u0440\u0430\u0443"),                 # all-Cyrillic look-alike
    (A, "vidchat:alice", "\uff56\uff49\uff44\uff43\uff48\uff41\uff54\uff1a\uff41lice"),
    (A, "vidchat:alice", "vidchat:\U0001d41alice"),                   # mathematical bold a
    (A, "vidchat:strasse", "vidchat:stra\u00dfe"),                    # casefold
    (P, "gcash:09171234567", "gcash:\uff10\uff19\uff11\uff17 123 4567"),
    (P, "wise:abc12", "wise:\u0430bc-12"),
    (PH, "+63 917 123 4567", "+63 \uff19\uff11\uff17 \uff11\uff12\uff13 \uff14\uff15\uff16\uff17"),
    (PH, "+639171234567", "+63917\u200b1234567"),
    (E, "bob@example.com", "B\u043eb@Example.com"),
    (E, "bob@example.com", "bob\uff20example.com"),
    (IP, "192.0.2.1", "\uff11\uff19\uff12.0.2.1"),
    (IP, "192.0.2.1", "192.0.2.1\u200b"),
    (D, "abcd-1234", "ABCD-12\u00ad34"),
    (EntityKind.WALLET, f"eth:{ADDRESS}", "eth:" + ADDRESS.replace("a", "\u0430")),
    (EntityKind.CONVERSATION, "vidchat:Conv-1", "vidchat:C\u043env-1"),
    (EntityKind.MEDIA, "md5:" + "a" * 32, "md5:" + "\uff41" * 32),
]

MUST_NOT_LINK = [
    (A, "vidchat:user1", "vidchat:userl"),     # ASCII look-alikes are distinct handles
    (A, "vidchat:bob0", "vidchat:bobo"),
    (A, "vidchat:rn", "vidchat:m"),
    (A, "vidchat:alice", "vidchat:alic\u00e9"),  # a different letter, not a look-alike
    (A, "vidchat:alice", "chatapp:alice"),
    (A, "wechat:\u5f20\u4f1f", "wechat:\u5f20\u73ae"),
    (A, "vidchat:\u0438\u0432\u0430\u043d", "vidchat:ivan"),
    (PH, "+639171234567", "+639171234568"),
    (E, "bob@example.com", "b0b@example.com"),
    (EntityKind.CONVERSATION, "vidchat:Conv-1", "vidchat:conv-1"),  # ids keep their case
    (EntityKind.WALLET, "btc:1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
     "btc:1boatSLRHtKNngkdXEeobR76b53LETtpyT"),
]


@pytest.mark.parametrize(("kind", "plain", "typed"), MUST_LINK)
def test_unicode_spellings_link(kind: EntityKind, plain: str, typed: str) -> None:
    assert EntityRef.of(kind, typed) == EntityRef.of(kind, plain)


@pytest.mark.parametrize(("kind", "one", "other"), MUST_NOT_LINK)
def test_different_identifiers_stay_apart(kind: EntityKind, one: str, other: str) -> None:
    assert normalise(kind, one) != normalise(kind, other)


def test_ascii_is_never_folded() -> None:
    assert fold("User1|O0", caseless=True) == "User1|O0"


def test_invisible_only_and_bad_values_name_what_was_typed() -> None:
    with pytest.raises(ValueError, match="only invisible"):
        normalise(A, "\u200b\u200d")
    with pytest.raises(ValueError, match="as typed") as info:
        normalise(PH, "+1 2\u200b")
    assert repr("+1 2\u200b") in str(info.value)


def test_every_confusable_folds_to_a_fixed_point() -> None:
    """Records are re-validated when read from the store: folding twice must change nothing."""
    for char in _representatives():
        for caseless in (True, False):
            once = fold(char, caseless=caseless)
            assert fold(once, caseless=caseless) == once, (char, once)


mixed = st.text(alphabet=st.sampled_from(
    list("abcIl10O_.") + ["\u0430", "\u0406", "\u03bf", "\u0391", "\uff41", "\uff11", "\u200d",
                          "\u00ad", "\ufeff", "\u0301", "\u00df", "\u0131", "\u017f", "\u2160"]),
    min_size=1, max_size=16)


@settings(max_examples=200, deadline=None)
@given(handle=mixed)
def test_account_normalisation_is_idempotent_with_unicode(handle: str) -> None:
    try:
        once = normalise(A, f"vidchat:{handle}")
    except ValueError:
        return
    assert normalise(A, once) == once


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=12))
def test_fold_is_idempotent_on_any_text(text: str) -> None:
    for caseless in (True, False):
        once = fold(text, caseless=caseless)
        assert fold(once, caseless=caseless) == once


PAYMENT = {"txn_id": "t1", "sender": "Wise:111", "beneficiary": "GCash:0917-000-0001",
           "amount": 40, "currency": "AUD", "amount_usd": 26.5, "sender_country": "au",
           "beneficiary_country": "PH", "sent_at": "2026-03-01T10:00:00+08:00",
           "sender_email": "Bob@Example.com"}


def test_record_links_on_the_fold_and_keeps_what_was_typed() -> None:
    typed = {**PAYMENT, "sender_email": "B\u043eb@Example.com",
             "beneficiary": "gcash:\uff10\uff19\uff11\uff17\u200b0000001"}
    plain = record_from_dict(RecordKind.PAYMENT, PAYMENT)
    record = record_from_dict(RecordKind.PAYMENT, typed)
    assert isinstance(record, Payment)
    assert identifiers_of(record) == identifiers_of(plain)
    assert record.sender_email == "bob@example.com"
    assert dict(record.original_identifiers) == {
        "sender_email": "B\u043eb@Example.com", "beneficiary": typed["beneficiary"]}
    assert record.model_dump(mode="json")[ORIGINALS_KEY] == dict(record.original_identifiers)
    assert record.content_hash() != plain.content_hash()    # two rows, two pieces of evidence
    stored = record_from_json(RecordKind.PAYMENT, record_to_json(record))
    assert stored == record
    assert stored.original_identifiers == record.original_identifiers
    assert stored.content_hash() == record.content_hash()


def test_ascii_records_serialise_and_hash_as_before() -> None:
    """Pinned on the code before Unicode folding: re-importing old files adds no duplicates."""
    record = record_from_dict(RecordKind.PAYMENT, PAYMENT)
    assert ORIGINALS_KEY not in record.model_dump()
    assert not record.original_identifiers
    assert record.content_hash() == (
        "6f5114101b15bb47572b879d553eab83b772b1acdfdd0ce0ab94a45cc16bfd84")


@pytest.mark.parametrize("given", [{"txn_id": "x"}, ["sender"], {"sender": 1}])
def test_original_identifiers_given_in_a_file_are_checked(given: object) -> None:
    with pytest.raises(ValueError, match=ORIGINALS_KEY):
        record_from_dict(RecordKind.PAYMENT, {**PAYMENT, ORIGINALS_KEY: given})
