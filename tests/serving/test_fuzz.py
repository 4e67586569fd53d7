"""Property-based fuzzing of the HTTP API (hypothesis, in-process): never a 5xx.

Invalid requests come from the OpenAPI spec (schemathesis) for every operation, and valid feature
vectors too. Valid Kaggle records are beyond what schemathesis generates from a schema this size, so
they are drawn here from the raw data contract itself: real applicants whose fields are replaced by
any value their kind and rules admit (extreme numbers, long or odd labels, nulls) and whose history
rows are dropped or repeated with new keys.
"""

from __future__ import annotations

import copy
import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from pret_a_depenser.raw_contract import RAW_TABLES
from pret_a_depenser.scoring.records import INT64_MAX, INT64_MIN, MAX_LABEL_LENGTH, MISSING_LABEL, REQUEST_TABLES

from .conftest import service_app

OPERATIONS = ["POST /predict", "POST /predict_batch", "POST /explain", "POST /predict_features"]
FUZZ_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)


@pytest.fixture(scope="module")
def api_operations(service_module) -> dict:
    schema = schemathesis.openapi.from_asgi("/docs.json", service_app(service_module))
    operations = {
        f"{operation.method.upper()} {operation.path}": operation
        for operation in (result.ok() for result in schema.get_all_operations())
    }
    assert set(OPERATIONS) <= set(operations), sorted(operations)
    return operations


def _check(response, name: str, body) -> None:
    assert response.status_code < 500, (name, str(body)[:500], response.text[:500])
    if response.status_code >= 400:
        assert json.loads(response.text), (name, response.status_code)


@pytest.mark.parametrize("name", OPERATIONS)
def test_generated_invalid_requests_never_get_a_server_error(api_operations, name):
    operation = api_operations[name]

    @given(data=st.data())
    @FUZZ_SETTINGS
    def check(data):
        case = data.draw(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
        _check(case.call(), name, case.body)

    check()


def test_generated_feature_vectors_never_get_a_server_error(api_operations):
    operation = api_operations["POST /predict_features"]

    @given(data=st.data())
    @FUZZ_SETTINGS
    def check(data):
        case = data.draw(operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
        _check(case.call(), "POST /predict_features", case.body)

    check()


def _value(kind: str, rules: list) -> st.SearchStrategy:
    """Any value the contract admits for a column of this kind and rules."""
    allowed = next((bound for comparison, bound in rules if comparison == "isin"), None)
    if allowed is not None:
        return st.sampled_from(allowed)
    bounds = dict(rules)
    if kind == "int":
        low = bounds["gt"] + 1 if "gt" in bounds else bounds.get("ge", INT64_MIN)
        high = bounds["lt"] - 1 if "lt" in bounds else bounds.get("le", INT64_MAX)
        return st.integers(min_value=max(low, INT64_MIN), max_value=min(high, INT64_MAX))
    if kind == "float":
        low = bounds.get("gt", bounds.get("ge"))
        high = bounds.get("lt", bounds.get("le"))
        return st.none() | st.floats(
            min_value=low,
            max_value=high,
            exclude_min="gt" in bounds,
            exclude_max="lt" in bounds,
            allow_nan=False,
            allow_infinity=False,
        )
    return st.none() | st.text(max_size=MAX_LABEL_LENGTH).filter(lambda label: label != MISSING_LABEL)


@st.composite
def valid_records(draw, base: dict) -> dict:
    record = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        table = draw(st.sampled_from(list(REQUEST_TABLES)))
        columns, _, rules = RAW_TABLES[REQUEST_TABLES[table]]
        rows = [record[table]] if table == "application" else record[table]
        if not rows:
            continue
        row = draw(st.sampled_from(rows))
        column = draw(
            st.sampled_from(
                [name for name in columns if name not in ("SK_ID_CURR", "SK_ID_BUREAU", "SK_ID_PREV", "MONTHS_BALANCE")]
            )
        )
        row[column] = draw(_value(columns[column], rules.get(column, [])))
    for table in REQUEST_TABLES:
        if table != "application" and record[table] and draw(st.booleans()):
            record[table] = record[table][: draw(st.integers(min_value=0, max_value=len(record[table])))]
    return record


@pytest.mark.parametrize("route", ["/predict", "/explain", "/predict_batch"])
def test_valid_kaggle_records_never_get_a_server_error(client, holdout_applicants, route):
    bases = [request for request in holdout_applicants["request"] if request["bureau"] and request["POS_CASH_balance"]][:5]

    @given(base=st.sampled_from(bases), data=st.data())
    @FUZZ_SETTINGS
    def check(base, data):
        record = data.draw(valid_records(base))
        body = [record] if route == "/predict_batch" else record
        response = client.post(route, json=body)
        _check(response, route, body)
        assert response.status_code == 200, response.text[:500]  # valid by construction

    check()
