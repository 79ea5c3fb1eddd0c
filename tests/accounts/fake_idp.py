"""A local fake OpenID Connect provider, reached through httpx's MockTransport: it makes its own
RSA and EC keys, serves discovery, JWKS and a token endpoint that checks the client's secret, the
redirect URI and the PKCE verifier, and signs ID tokens whose claims a test may spoil."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from vigil import OidcConfig, OidcProvider

ISSUER = "https://idp.example/realms/ngo"
CLIENT_ID, CLIENT_SECRET = "vigil-workspace", "s3cret-of-vigil"
REDIRECT = "http://testserver/ui/oidc/callback"


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass
class _Grant:
    claims: dict[str, Any]
    challenge: str
    key: str
    redirect_uri: str


@dataclass
class FakeIdp:
    """The provider. :meth:`authorise` plays the user's sign-in at its authorisation endpoint
    and returns the code the browser would bring back; ``spoil`` changes the token's claims."""

    clock: Callable[[], datetime]
    rsa: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "rsa-1"}))
    ec: ECKey = field(default_factory=lambda: ECKey.generate_key("P-256", {"kid": "ec-1"}))
    stranger: RSAKey = field(default_factory=lambda: RSAKey.generate_key(
        2048, {"kid": "rsa-1"}))
    grants: dict[str, _Grant] = field(default_factory=dict)
    token_calls: int = 0

    def provider(self) -> OidcProvider:
        config = OidcConfig(ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT, name="NGO sign-in")
        http = httpx.Client(transport=httpx.MockTransport(self.handle))
        return OidcProvider(config, http, self.clock)

    def authorise(self, url: str, username: str, *, amr: list[str] | None = None,
                  key: str = "rsa", **spoil: Any) -> str:
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert query["code_challenge_method"] == "S256" and query["client_id"] == CLIENT_ID
        now = int(self.clock().timestamp())
        claims: dict[str, Any] = {"iss": ISSUER, "sub": f"id-{username}", "aud": CLIENT_ID,
                                  "iat": now, "exp": now + 300, "nonce": query["nonce"],
                                  "preferred_username": username, "amr": amr or ["pwd"]}
        claims.update(spoil)
        code = f"code-{len(self.grants)}"
        self.grants[code] = _Grant(claims, query["code_challenge"], key, query["redirect_uri"])
        return code

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(200, json={
                "issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/auth",
                "token_endpoint": f"{ISSUER}/token", "jwks_uri": f"{ISSUER}/certs",
                "id_token_signing_alg_values_supported": ["RS256", "ES256"]})
        if path.endswith("/certs"):
            return httpx.Response(200, json={"keys": [self.rsa.as_dict(private=False),
                                                      self.ec.as_dict(private=False)]})
        if path.endswith("/token") and request.method == "POST":
            return self._token(request)
        return httpx.Response(404)

    def _token(self, request: httpx.Request) -> httpx.Response:
        self.token_calls += 1
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {basic}":
            return httpx.Response(401, json={"error": "invalid_client"})
        grant = self.grants.pop(form.get("code", ""), None)  # a code works once
        if (grant is None or form.get("redirect_uri") != grant.redirect_uri
                or _challenge(form.get("code_verifier", "")) != grant.challenge):
            return httpx.Response(400, json={"error": "invalid_grant"})
        key = {"rsa": self.rsa, "ec": self.ec, "stranger": self.stranger}[grant.key]
        alg = "ES256" if grant.key == "ec" else "RS256"
        token = jwt.encode({"alg": alg, "kid": key.kid}, grant.claims, key)
        return httpx.Response(200, content=json.dumps(
            {"access_token": "at", "token_type": "Bearer", "id_token": token}),
            headers={"content-type": "application/json"})
