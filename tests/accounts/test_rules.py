"""The session numbers come from the settings, which may be stricter than CJIS but never looser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from vigil.accounts.rules import SessionRules, csrf_matches, csrf_token, session_id_hash
from vigil.settings import Settings


def test_the_defaults_are_the_cjis_numbers() -> None:
    rules = SessionRules.from_settings(Settings())
    assert rules == SessionRules()
    assert (rules.max_failures, rules.failure_window, rules.idle_timeout, rules.lifetime) == (
        5, timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=12))


def test_stricter_settings_are_taken() -> None:
    rules = SessionRules.from_settings(Settings(lockout_failures=3, lockout_window_minutes=60,
                                                session_idle_minutes=10,
                                                session_lifetime_hours=8))
    assert rules == SessionRules(3, timedelta(minutes=60), timedelta(minutes=10),
                                 timedelta(hours=8))


@pytest.mark.parametrize("looser", [
    {"lockout_failures": 6}, {"lockout_window_minutes": 10}, {"session_idle_minutes": 31},
    {"session_lifetime_hours": 13}, {"reveal_daily_cap": 0},
])
def test_looser_settings_are_refused_naming_the_setting(looser: dict[str, int]) -> None:
    with pytest.raises(ValidationError, match=next(iter(looser))):
        Settings(**looser)  # type: ignore[arg-type]


def test_csrf_tokens_belong_to_their_session_and_ids_are_stored_hashed() -> None:
    token = csrf_token("session-a")
    assert csrf_matches("session-a", token) and not csrf_matches("session-b", token)
    assert not csrf_matches("session-a", "")
    assert session_id_hash("session-a") != "session-a" and len(session_id_hash("x")) == 64
