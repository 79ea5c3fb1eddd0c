"""Logging on through an organisation's OpenID Connect provider: discovery, the authorisation-code
flow with PKCE, the token exchange and the ID-token checks.

Sources: OpenID Connect Core 1.0 section 3.1 (authorisation-code flow; 3.1.3.7 lists the ID-token
checks made here: issuer, audience, authorised party, signature, expiry, issued-at, nonce),
OpenID Connect Discovery 1.0 sections 4.2-4.3 (the discovery document at
``{issuer}/.well-known/openid-configuration``, whose ``issuer`` must equal the configured one),
RFC 7636 (PKCE with S256) and RFC 9700 (OAuth 2.0 Security Best Current Practice: PKCE and a
one-time ``state``). Signatures are checked by joserfc against the provider's JWKS, for RS256 and
ES256 only, so an unsigned (``none``) or HMAC token is refused whatever its header says; nothing
here computes or compares a signature itself.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import BadSignatureError, ExpiredTokenError, JoseError
from joserfc.jwk import KeySet

from vigil.accounts.model import Clock, utc_now
from vigil.settings import Settings

ALGORITHMS = ("RS256", "ES256")
"""Signature algorithms accepted (RS256 is the one OpenID Connect Core 1.0 section 15.1 makes
mandatory to implement; ES256 is the common elliptic-curve choice)."""

LEEWAY_S = 60
"""Clock skew allowed on ``exp``/``iat`` (RFC 7519 section 4.1.4: "usually no more than a few
minutes"); one minute here."""

MAX_AGE_S = 600
"""An ID token issued longer ago than this is refused (Core 1.0 3.1.3.7 item 10 lets the client
limit how old ``iat`` may be); ten minutes covers a slow redirect."""


class OidcError(Exception):
    """A logon through the provider failed. ``reason`` says why (shown on the page and audited);
    ``username`` is set only when a token whose signature checked out names the account."""

    def __init__(self, reason: str, username: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.username = username


@dataclass(frozen=True)
class OidcConfig:
    """One provider as the deployment configures it (``VIGIL_OIDC_*``)."""

    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str
    name: str = "your identity provider"
    scopes: tuple[str, ...] = ("openid", "profile", "email")


@dataclass(frozen=True)
class AuthorisationRequest:
    """A logon in flight: the provider URL to send the browser to, and the one-time ``state``,
    ``nonce`` and PKCE ``verifier`` kept on the server until the callback."""

    url: str
    state: str
    nonce: str
    verifier: str


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge of a verifier (RFC 7636 section 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcProvider:
    """One OpenID Connect provider, reached through ``http`` (tests hand in a client whose
    transport is a fake provider). Discovery and keys are fetched on first use and kept; the
    keys are fetched again once when a token names a key id they do not hold (key rotation)."""

    def __init__(self, config: OidcConfig, http: httpx.Client, clock: Clock = utc_now) -> None:
        self.config = config
        self._http = http
        self._clock = clock
        self._lock = threading.Lock()
        self._document: dict[str, Any] | None = None
        self._keys: KeySet | None = None

    @property
    def issuer(self) -> str:
        return self.config.issuer

    @property
    def name(self) -> str:
        return self.config.name

    def begin(self) -> AuthorisationRequest:
        """A new authorisation request with fresh state, nonce and PKCE verifier (each 256
        random bits; RFC 7636 section 4.1 asks for a verifier of 43-128 characters)."""
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        query = urlencode({
            "response_type": "code", "client_id": self.config.client_id,
            "redirect_uri": self.config.redirect_uri, "scope": " ".join(self.config.scopes),
            "state": state, "nonce": nonce, "code_challenge": pkce_challenge(verifier),
            "code_challenge_method": "S256"})
        endpoint = str(self._discovery()["authorization_endpoint"])
        separator = "&" if "?" in endpoint else "?"
        return AuthorisationRequest(f"{endpoint}{separator}{query}", state, nonce, verifier)

    def claims(self, code: str, request: AuthorisationRequest) -> dict[str, Any]:
        """Exchange ``code`` (with the request's PKCE verifier) and return the ID token's claims
        once every check passes; :class:`OidcError` naming the first that fails."""
        return self.verify_id_token(self._exchange(code, request.verifier), request.nonce)

    def verify_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The claims of ``id_token`` after the signature (RS256/ES256, the provider's JWKS) and
        the claims checks of OpenID Connect Core 1.0 section 3.1.3.7."""
        token = self._signed(id_token)
        claims = dict(token.claims)
        name = claims.get("preferred_username") or claims.get("email") or ""
        now = int(self._clock().timestamp())
        registry = jwt.JWTClaimsRegistry(
            now=now, leeway=LEEWAY_S, iss={"essential": True, "value": self.config.issuer},
            aud={"essential": True, "value": self.config.client_id},
            sub={"essential": True}, exp={"essential": True}, iat={"essential": True},
            nonce={"essential": True, "value": nonce})
        try:
            registry.validate(claims)
        except ExpiredTokenError:
            raise OidcError("the ID token has expired", str(name)) from None
        except JoseError as exc:
            raise OidcError(f"the ID token was refused: {exc}", str(name)) from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.config.client_id:
            raise OidcError("the ID token names other audiences and not vigil as its "
                            "authorised party", str(name))
        if claims["iat"] < now - MAX_AGE_S - LEEWAY_S:
            raise OidcError("the ID token was issued too long ago", str(name))
        return claims

    def _signed(self, id_token: str) -> jwt.Token:
        for refresh in (False, True):
            try:
                return jwt.decode(id_token, self._key_set(refresh), algorithms=list(ALGORITHMS))
            except BadSignatureError:
                raise OidcError("the ID token's signature does not verify") from None
            except JoseError as exc:
                if refresh:
                    raise OidcError(f"the ID token could not be checked: {exc}") from None
        raise AssertionError("unreachable")

    def _exchange(self, code: str, verifier: str) -> str:
        form = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": self.config.redirect_uri, "code_verifier": verifier}
        answer = self._fetch("post", str(self._discovery()["token_endpoint"]), data=form,
                             auth=(self.config.client_id, self.config.client_secret))
        id_token = answer.get("id_token")
        if not isinstance(id_token, str):
            raise OidcError("the provider's token answer holds no ID token")
        return id_token

    def _discovery(self) -> dict[str, Any]:
        with self._lock:
            if self._document is None:
                url = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
                document = self._fetch("get", url)
                if document.get("issuer") != self.config.issuer:
                    raise OidcError(f"the discovery document's issuer "
                                    f"{document.get('issuer')!r} is not {self.config.issuer!r}")
                for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not isinstance(document.get(field), str):
                        raise OidcError(f"the discovery document has no {field}")
                self._document = document
            return self._document

    def _key_set(self, refresh: bool) -> KeySet:
        uri = str(self._discovery()["jwks_uri"])
        with self._lock:
            if self._keys is None or refresh:
                try:
                    self._keys = KeySet.import_key_set(self._fetch("get", uri))  # type: ignore[arg-type]
                except (JoseError, ValueError, TypeError) as exc:
                    raise OidcError(f"the provider's JWKS could not be read: {exc}") from None
            return self._keys

    def _fetch(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            answer = self._http.request(method.upper(), url, **kwargs)
            answer.raise_for_status()
            body = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise OidcError(f"the identity provider did not answer as expected at {url}: "
                            f"{exc}") from None
        if not isinstance(body, dict):
            raise OidcError(f"the identity provider's answer at {url} is not a JSON object")
        return body


def provider_from_settings(settings: Settings, http: httpx.Client | None = None,
                           clock: Clock = utc_now) -> OidcProvider | None:
    """The provider ``VIGIL_OIDC_*`` configure, or ``None`` when no issuer is set; a
    :class:`ValueError` naming each missing setting when the issuer is set without them."""
    if not settings.oidc_issuer:
        return None
    missing = [name for name, value in (
        ("VIGIL_OIDC_CLIENT_ID", settings.oidc_client_id),
        ("VIGIL_OIDC_CLIENT_SECRET", settings.oidc_client_secret.get_secret_value()),
        ("VIGIL_OIDC_REDIRECT_URI", settings.oidc_redirect_uri)) if not value]
    if missing:
        raise ValueError(f"VIGIL_OIDC_ISSUER is set but {', '.join(missing)} not")
    config = OidcConfig(settings.oidc_issuer, settings.oidc_client_id,
                        settings.oidc_client_secret.get_secret_value(),
                        settings.oidc_redirect_uri, settings.oidc_name)
    return OidcProvider(config, http or httpx.Client(timeout=10.0), clock)
