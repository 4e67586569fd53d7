"""The app's client of the scoring service: records in, the service's answer out, and every failure a
person can meet turned into one sentence that says what to do."""

from __future__ import annotations

from typing import Any

import httpx


class ServiceError(Exception):
    """The service could not give an answer; the message is shown on the page as is."""


class ScoringService:
    def __init__(self, url: str, api_key: str = "", timeout: float = 10.0, transport: httpx.BaseTransport | None = None) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.url = url
        self._http = httpx.Client(base_url=url, headers=headers, timeout=timeout, transport=transport)

    def health(self) -> dict[str, Any]:
        return self._call("GET", "/health")

    def predict(self, records: dict[str, Any]) -> dict[str, Any]:
        """Probability of default and decision for one applicant's records."""
        return self._call("POST", "/predict", records)

    def explain(self, records: dict[str, Any]) -> dict[str, Any]:
        """Decision, SHAP contributions and, for a refusal, the reasons in plain words."""
        return self._call("POST", "/explain", records)

    def _call(self, method: str, route: str, body: Any = None) -> dict[str, Any]:
        try:
            response = self._http.request(method, route, json=body)
        except httpx.TimeoutException:
            raise ServiceError(f"The scoring service at {self.url} did not answer in time. Try again in a moment.") from None
        except httpx.TransportError:
            raise ServiceError(f"The scoring service at {self.url} cannot be reached. Is it running (`bentoml serve`)?") from None
        if response.status_code == 200:
            return response.json()
        raise ServiceError(_failure(response))


def _failure(response: httpx.Response) -> str:
    status = response.status_code
    if status == 401:
        return "The scoring service refused the app's API key. Check CREDIT_SCORING_API_KEY for the app and the service."
    if status in (429, 503):
        return f"The scoring service is busy or cannot record decisions right now ({status}). Try again in {response.headers.get('retry-after', 'a few')} s."
    if status == 400:
        return "The service found the application invalid: " + "; ".join(_validation_errors(response))
    return f"The scoring service answered {status}. See its log for details."


def _validation_errors(response: httpx.Response) -> list[str]:
    """Each error as 'field: message', the field named as in the form (table, row, column)."""
    try:
        answer = response.json()
    except ValueError:
        return [response.text[:200]]
    details = answer.get("detail") if isinstance(answer, dict) else None
    if not isinstance(details, list) or not details:
        return [str(answer.get("error", answer) if isinstance(answer, dict) else answer)[:200]]
    messages = []
    for detail in details[:5]:
        location = ".".join(str(part) for part in detail.get("loc", []) if part not in ("body", "applicant"))
        messages.append(f"{location}: {detail.get('msg', 'invalid value')}")
    return messages
