"""Logging on through an organisation's identity provider (OpenID Connect): the mapping.

An :class:`IdentityProvider` (the real one is :class:`vigil.accounts.oidc_client.OidcProvider`)
starts a logon and returns the verified ID-token claims of its callback; :func:`account_for_claims`
maps them to a local account. The mapping refuses anything it cannot tie to a known account:
vigil never creates an account from claims, and an identity provider's logon alone does not skip
vigil's own second factor unless the claims say the provider did MFA (``amr`` containing
``mfa``, OpenID Connect Core 1.0 section 2 and RFC 8176), because CJIS v5.9.5 IA-2(1)/(2)
require MFA for every account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from vigil.accounts.model import Account
from vigil.accounts.oidc_client import AuthorisationRequest
from vigil.accounts.store import AccountStore


class IdentityProvider(Protocol):
    """One configured OpenID Connect provider."""

    @property
    def issuer(self) -> str: ...

    @property
    def name(self) -> str:
        """The name on the login page's button."""

    def begin(self) -> AuthorisationRequest:
        """A new authorisation request (the URL to send the browser to, state, nonce, PKCE)."""

    def claims(self, code: str, request: AuthorisationRequest) -> Mapping[str, object]:
        """The verified ID-token claims for a callback's code; raises
        :class:`~vigil.accounts.oidc_client.OidcError` if the token, its signature, audience,
        nonce or expiry do not check out."""


@dataclass(frozen=True)
class ClaimsLogon:
    """The account a provider's claims map to, and whether vigil must still ask for TOTP."""

    account: Account
    needs_totp: bool


class UnmappedIdentity(PermissionError):
    """The claims name no local account of this issuer, or a disabled one; ``username`` is the
    name the claims gave (for the audit), if any."""

    def __init__(self, message: str, username: str = "") -> None:
        super().__init__(message)
        self.username = username


def account_for_claims(store: AccountStore, issuer: str,
                       claims: Mapping[str, object]) -> ClaimsLogon:
    """The local account whose username equals the claims' ``preferred_username`` (or
    ``email``) for a token from ``issuer``; :class:`UnmappedIdentity` otherwise."""
    if claims.get("iss") != issuer:
        raise UnmappedIdentity(f"token issuer {claims.get('iss')!r} is not {issuer!r}")
    name = claims.get("preferred_username") or claims.get("email")
    account = store.account(name) if isinstance(name, str) else None
    if account is None or account.disabled or account.locked:
        raise UnmappedIdentity(f"no open local account for identity {name!r}",
                               name if isinstance(name, str) else "")
    amr = claims.get("amr")
    did_mfa = isinstance(amr, list) and "mfa" in amr
    return ClaimsLogon(account, needs_totp=not did_mfa)
