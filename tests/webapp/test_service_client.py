"""The app's client of the service: every failure a person can meet becomes one sentence."""

from __future__ import annotations

import httpx
import pytest

from pret_a_depenser.webapp import ScoringService, ServiceError


def _service(handler) -> ScoringService:
    return ScoringService("http://service", api_key="k", transport=httpx.MockTransport(handler))


def test_the_api_key_is_sent_and_the_answer_returned():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["authorization"] = request.headers["authorization"]
        return httpx.Response(200, json={"decision": "ACCEPTED"})

    assert _service(handler).predict({"application": {}}) == {"decision": "ACCEPTED"}
    assert seen["authorization"] == "Bearer k"


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(401, json={"error": "missing or invalid API key"}), "refused the app's API key"),
        (
            httpx.Response(429, headers={"retry-after": "1"}, json={"error": "busy"}),
            "busy or cannot record decisions right now (429). Try again in 1 s",
        ),
        (
            httpx.Response(
                400,
                json={
                    "error": "1 validation error",
                    "detail": [
                        {"loc": ["body", "application", "AMT_CREDIT"], "msg": "Input should be greater than or equal to 0"}
                    ],
                },
            ),
            "The service found the application invalid: application.AMT_CREDIT: Input should be greater than or equal to 0",
        ),
        (httpx.Response(500, text="boom"), "The scoring service answered 500"),
    ],
)
def test_failures_are_one_sentence_naming_what_to_do(response, message):
    with pytest.raises(ServiceError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        _service(lambda request: response).explain({})


def test_an_unreachable_service_is_said_so():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    with pytest.raises(ServiceError, match="cannot be reached"):
        _service(handler).health()
