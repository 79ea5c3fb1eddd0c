"""Schemathesis against the app in-process: no 5xx and no answer outside the OpenAPI document.

The default checks run on every operation, with a key holding all scopes, over a bounded
number of generated requests per operation (``SCHEMATHESIS_EXAMPLES``, 15 by default), except
``positive_data_acceptance``: the record validators check more than a JSON schema can say
(identifier formats per kind, times between 1970 and 2100, known country codes), so a body the
schema allows may rightly be refused with 422 naming the field (see ``intake_body_schema``).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from vigil import Scope, Settings, create_key
from vigil.web.app import create_app

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))
APP = create_app(Settings(database_url="memory://", media_index="brute"), background=False)
_KEY, TOKEN = create_key(APP.state.vigil.keys, "fuzz", list(Scope), rate_per_s=1e6,
                         burst=10**6)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def lifespan() -> object:
    with TestClient(APP) as client:
        yield client


@pytest.mark.filterwarnings(  # NDJSON bodies are not generated; tests/web covers them
    "ignore:Skipped test cases with unsupported payload media types")
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"},
                           excluded_checks=[positive_data_acceptance])
