"""The ID-token checks of vigil.OidcProvider on their own: tokens that must never pass whatever
their claims say (unsigned, HMAC-signed, signed by a stranger's key), discovery that names
another issuer, and a token for several audiences without vigil as authorised party."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from tests.accounts.fake_idp import CLIENT_ID, ISSUER, FakeIdp
from vigil import OidcConfig, OidcError, OidcProvider, Settings, provider_from_settings

NOW = datetime(2026, 11, 30, 9, 0, 0, tzinfo=UTC)


def _claims(**changes: Any) -> dict[str, Any]:
    at = int(NOW.timestamp())
    return {"iss": ISSUER, "sub": "id-ana", "aud": CLIENT_ID, "iat": at, "exp": at + 300,
            "nonce": "n-1", "preferred_username": "ana", **changes}


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture
def idp() -> FakeIdp:
    return FakeIdp(lambda: NOW)


def test_a_well_signed_token_passes(idp: FakeIdp) -> None:
    token = jwt.encode({"alg": "RS256", "kid": "rsa-1"}, _claims(), idp.rsa)
    assert idp.provider().verify_id_token(token, "n-1")["preferred_username"] == "ana"


def test_unsigned_hmac_and_strangers_tokens_never_pass(idp: FakeIdp) -> None:
    unsigned = f"{_b64({'alg': 'none', 'kid': 'rsa-1'})}.{_b64(_claims())}."
    hmac_key = OctKey.import_key("a shared secret of thirty-two bytes!", {"kid": "rsa-1"})
    hmac_signed = jwt.encode({"alg": "HS256", "kid": "rsa-1"}, _claims(), hmac_key)
    strangers = jwt.encode({"alg": "RS256", "kid": "rsa-1"}, _claims(), idp.stranger)
    for token in (unsigned, hmac_signed, strangers):
        with pytest.raises(OidcError) as refused:
            idp.provider().verify_id_token(token, "n-1")
        assert refused.value.username == ""  # an unchecked token names nobody


def test_several_audiences_need_vigil_as_authorised_party(idp: FakeIdp) -> None:
    both = _claims(aud=[CLIENT_ID, "other-app"])
    token = jwt.encode({"alg": "RS256", "kid": "rsa-1"}, both, idp.rsa)
    with pytest.raises(OidcError, match="authorised party"):
        idp.provider().verify_id_token(token, "n-1")
    token = jwt.encode({"alg": "RS256", "kid": "rsa-1"}, {**both, "azp": CLIENT_ID}, idp.rsa)
    assert idp.provider().verify_id_token(token, "n-1")["sub"] == "id-ana"


def test_discovery_must_name_the_configured_issuer(idp: FakeIdp) -> None:
    config = OidcConfig(ISSUER + "-other", CLIENT_ID, "x", "https://vigil.example/cb")
    provider = OidcProvider(config, httpx.Client(transport=httpx.MockTransport(idp.handle)))
    with pytest.raises(OidcError, match="issuer"):
        provider.begin()


def test_settings_name_what_is_missing() -> None:
    assert provider_from_settings(Settings(database_url="memory://")) is None
    with pytest.raises(ValueError, match="VIGIL_OIDC_CLIENT_ID.*VIGIL_OIDC_REDIRECT_URI"):
        provider_from_settings(Settings(database_url="memory://", oidc_issuer=ISSUER))
