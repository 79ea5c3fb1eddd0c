"""Why an accounts operation was refused; every error names what was wrong and no secret."""

from __future__ import annotations


class AccountError(Exception):
    """Base of every accounts error."""


class UnknownAccountError(AccountError, KeyError):
    """No account has that username."""

    def __str__(self) -> str:
        return f"no account named {self.args[0]!r}"


class AccountExistsError(AccountError):
    """An account with that username exists already."""


class WeakPasswordError(AccountError, ValueError):
    """The password breaks the password rules (length)."""


class LoginRefused(AccountError):
    """The logon failed. The message is the same whatever the cause (unknown user, wrong
    password, wrong or replayed code, locked account), so it tells an attacker nothing; the
    cause is in ``reason`` and in the audit event."""

    def __init__(self, reason: str) -> None:
        super().__init__("logon refused: wrong username, password or code, or account locked")
        self.reason = reason


class SessionInvalid(AccountError):
    """The session id is unknown, logged out, idle too long or past its lifetime."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"session not valid: {reason}")
        self.reason = reason
