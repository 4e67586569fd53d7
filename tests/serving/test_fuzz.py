"""Property-based fuzzing of the HTTP API from its own OpenAPI spec (schemathesis, in-process).

Valid and invalid requests are generated for every operation of the spec: never a 5xx, and every
rejection is a 4xx with a JSON error body.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from .conftest import service_app

OPERATIONS = ["POST /predict", "POST /predict_batch", "POST /explain"]


@pytest.fixture(scope="module")
def api_operations(service_module) -> dict:
    schema = schemathesis.openapi.from_asgi("/docs.json", service_app(service_module))
    operations = {f"{operation.method.upper()} {operation.path}": operation for operation in (result.ok() for result in schema.get_all_operations())}
    assert set(OPERATIONS) <= set(operations), sorted(operations)
    return operations


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize("name", OPERATIONS)
def test_generated_requests_never_get_a_server_error(api_operations, name, mode):
    operation = api_operations[name]

    @given(data=st.data())
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
    def check(data):
        case = data.draw(operation.as_strategy(generation_mode=mode))
        response = case.call()
        assert response.status_code < 500, (name, case.body, response.text[:500])
        if response.status_code >= 400:
            assert json.loads(response.text), (name, response.status_code)

    check()
