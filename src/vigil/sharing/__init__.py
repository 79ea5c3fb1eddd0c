"""Keyed-hash sharing: two organisations find the identifiers they share, and nothing else.

Each side sends HMAC-SHA-256 pseudonyms of normalised identifiers under a key it holds with one
partner (:mod:`.keys`, :mod:`.pseudonyms`); the receiver computes the same pseudonyms of its own
identifiers and raises a ``share.partner`` signal for each that matches (:mod:`.exchange`), which
the next run links into cases. As in the Tech Coalition's Lantern programme, a partner's signal
is a lead for a person to review, not proof.
"""
