"""The service in-process (Starlette TestClient, no port): health, scoring, explanations, rejections."""

from __future__ import annotations

import asyncio
import json
import math

import httpx
import numpy as np
import pytest
from starlette.testclient import TestClient

from .conftest import applicant_json, import_service, service_app


@pytest.fixture(scope="module")
def kept_features(finished_project) -> list[str]:
    return json.loads((finished_project / "data/05_model_input/kept_features.json").read_text())


@pytest.fixture(scope="module")
def categorical_features(finished_project) -> list[str]:
    return json.loads((finished_project / "data/05_model_input/categorical_features.json").read_text())


@pytest.fixture(scope="module")
def applicant(holdout_applicants, kept_features) -> dict:
    return applicant_json(holdout_applicants.iloc[0], kept_features)


@pytest.fixture(scope="module")
def numeric_feature(kept_features, categorical_features) -> str:
    return next(name for name in kept_features if name not in categorical_features)


def test_health_reports_model_threshold_and_features(client, finished_project, kept_features):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    decision = json.loads((finished_project / "data/06_models/decision_threshold.json").read_text())
    assert body["ready"] is True and body["model_tag"].startswith("credit_scoring:") and body["model_source"] == "bentoml"
    assert body["threshold"] == decision["threshold"] and body["n_features"] == len(kept_features)
    assert body["mlflow_run_id"]
    for builtin in ("/livez", "/readyz", "/metrics"):
        assert client.get(builtin).status_code == 200, builtin


def test_predict_returns_probability_decision_threshold_and_tag(client, applicant):
    body = client.post("/predict", json=applicant).json()
    assert 0 < body["probability_of_default"] < 1
    assert body["decision"] == ("REFUSED" if body["probability_of_default"] >= body["threshold"] else "ACCEPTED")
    assert body["model_tag"].startswith("credit_scoring:") and body["unseen_categories"] == []


def test_served_predictions_equal_the_pipeline_holdout_predictions(client, holdout_applicants, kept_features):
    """No train/serve skew: every holdout applicant scored over HTTP gets the pipeline's own PD."""
    applicants = [applicant_json(row, kept_features) for _, row in holdout_applicants.iterrows()]
    served = []
    for start in range(0, len(applicants), 1000):
        response = client.post("/predict_batch", json=applicants[start:start + 1000])
        assert response.status_code == 200, response.text
        served += [item["probability_of_default"] for item in response.json()["predictions"]]
    assert np.allclose(served, holdout_applicants["PD"].to_numpy(), rtol=0, atol=1e-12)
    singles = [client.post("/predict", json=applicant).json()["probability_of_default"] for applicant in applicants[:20]]
    assert singles == served[:20]


def test_partial_applicant_is_scored_with_missing_features(client, applicant, numeric_feature):
    response = client.post("/predict", json={numeric_feature: applicant[numeric_feature]})
    assert response.status_code == 200 and 0 < response.json()["probability_of_default"] < 1


def test_explanation_adds_up_to_the_raw_score_and_gives_at_most_four_reasons(client, holdout_applicants, kept_features):
    riskiest = holdout_applicants.sort_values("PD", ascending=False).iloc[0]
    safest = holdout_applicants.sort_values("PD").iloc[0]
    refused = client.post("/explain", json=applicant_json(riskiest, kept_features)).json()
    accepted = client.post("/explain", json=applicant_json(safest, kept_features)).json()
    for body, row in ((refused, riskiest), (accepted, safest)):
        total = body["base_value"] + sum(item["contribution"] for item in body["contributions"])
        assert total == pytest.approx(body["raw_score"], abs=1e-6)
        assert body["probability_of_default"] == pytest.approx(row["PD"], abs=1e-9)
        assert 1 / (1 + math.exp(-body["raw_score"])) == pytest.approx(row["PD"], abs=1e-9)
        assert {item["feature"] for item in body["contributions"]} == set(kept_features)
        assert all(item["direction"] == ("increases_risk" if item["contribution"] > 0 else "decreases_risk") for item in body["contributions"] if item["contribution"])
    assert refused["decision"] == "REFUSED" and 1 <= len(refused["reasons"]) <= 4
    assert all(reason["contribution"] > 0 and "raises the estimated risk" in reason["text"] for reason in refused["reasons"])
    assert [reason["feature"] for reason in refused["reasons"]] == [item["feature"] for item in refused["contributions"] if item["contribution"] > 0][: len(refused["reasons"])]
    assert accepted["decision"] == "ACCEPTED" and accepted["reasons"] == []


def test_unseen_category_is_scored_flagged_and_counted(client, applicant, categorical_features):
    feature = categorical_features[0]
    response = client.post("/predict", json={**applicant, feature: "a label never seen in training"})
    assert response.status_code == 200 and response.json()["unseen_categories"] == [feature]
    metrics = client.get("/metrics").text
    counted = [line for line in metrics.splitlines() if line.startswith("credit_scoring_unseen_categories_total") and f'feature="{feature}"' in line]
    assert counted and float(counted[0].split()[-1]) >= 1


def _bad_bodies(applicant, numeric_feature, categorical_feature):
    return {
        "string number": (json.dumps({**applicant, numeric_feature: "1.5"}), numeric_feature),
        "boolean number": (json.dumps({**applicant, numeric_feature: True}), numeric_feature),
        "number label": (json.dumps({**applicant, categorical_feature: 3}), categorical_feature),
        "misspelt feature": (json.dumps({**applicant, numeric_feature + "_TYPO": 1.0}), numeric_feature + "_TYPO"),
        "NaN": (json.dumps({**applicant, numeric_feature: float("nan")}), numeric_feature),
        "infinity": (json.dumps({**applicant, numeric_feature: float("inf")}), numeric_feature),
        "array body": (json.dumps([applicant]), "Applicant"),
        "empty object": ("{}", "none of the model's features"),
        "not JSON": ("{not json", "json"),
    }


@pytest.mark.parametrize("case", ["string number", "boolean number", "number label", "misspelt feature", "NaN", "infinity", "array body", "empty object", "not JSON"])
def test_bad_applicant_is_a_400_naming_the_field(client, applicant, numeric_feature, categorical_features, case):
    body, named = _bad_bodies(applicant, numeric_feature, categorical_features[0])[case]
    for route in ("/predict", "/explain"):
        response = client.post(route, content=body, headers={"content-type": "application/json"})
        assert response.status_code == 400, (route, response.text)
        assert named.lower() in response.text.lower(), response.text


def test_batch_must_be_a_bounded_non_empty_list(client, applicant, service_module):
    assert client.post("/predict_batch", json=[]).status_code == 400
    too_many = [applicant] * (service_module.SETTINGS.max_batch_size + 1)
    response = client.post("/predict_batch", json=too_many)
    assert response.status_code == 400 and "at most" in response.text
    response = client.post("/predict_batch", json=[applicant, {**applicant, "NOT_A_FEATURE": 1}])
    assert response.status_code == 400 and "NOT_A_FEATURE" in response.text and '"loc"' in response.text


@pytest.fixture(scope="module")
def limited_service(bentoml_home):
    return import_service(bentoml_home, CREDIT_SCORING_MAX_BODY_BYTES="2000", CREDIT_SCORING_MAX_BATCH_BODY_BYTES="6000", CREDIT_SCORING_API_KEY="s3cret-key")


def test_oversized_body_is_413_before_parsing_declared_or_chunked(limited_service, applicant):
    big = json.dumps({"padding": "x" * 3000}).encode()
    with TestClient(service_app(limited_service)) as client:
        headers = {"authorization": "Bearer s3cret-key", "content-type": "application/json"}
        response = client.post("/predict", content=big, headers=headers)
        assert response.status_code == 413 and "2000-byte limit" in response.json()["error"]
        response = client.post("/explain", content=(chunk for chunk in (big[:1500], big[1500:])), headers=headers)
        assert response.status_code == 413
        assert client.post("/predict_batch", content=b"[" + b" " * 5000 + b"]", headers=headers).status_code == 400  # under the batch limit
        assert client.post("/predict_batch", content=b"[" + b" " * 7000 + b"]", headers=headers).status_code == 413


def test_api_key_guards_scoring_routes_only(limited_service, applicant, numeric_feature):
    small = {numeric_feature: applicant[numeric_feature]}
    with TestClient(service_app(limited_service)) as client:
        for route, body in (("/predict", small), ("/explain", small), ("/predict_batch", [small])):
            assert client.post(route, json=body).status_code == 401
            assert client.post(route, json=body, headers={"authorization": "Bearer wrong"}).status_code == 401
            response = client.post(route, json=body, headers={"authorization": "Bearer s3cret-key"})
            assert response.status_code == 200, response.text
        assert client.post("/predict", json=small).json()["error"].startswith("missing or invalid API key")
        for route in ("/health", "/livez", "/readyz"):
            assert client.get(route).status_code == 200, route


def test_open_service_says_so_at_start_up(bentoml_home, caplog):
    module = import_service(bentoml_home)
    with caplog.at_level("WARNING"), TestClient(service_app(module)):
        pass
    assert "CREDIT_SCORING_API_KEY is not set" in caplog.text


def test_requests_past_the_concurrency_limit_get_429_at_once(bentoml_home, holdout_applicants, kept_features):
    module = import_service(bentoml_home, CREDIT_SCORING_MAX_CONCURRENCY="1")
    batch = [applicant_json(row, kept_features) for _, row in holdout_applicants.head(1000).iterrows()]

    async def burst() -> list[int]:
        app = service_app(module)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
                responses = await asyncio.gather(*(client.post("/explain" if i else "/predict_batch", json=batch[0] if i else batch) for i in range(6)))
        return [response.status_code for response in responses]

    codes = asyncio.run(burst())
    assert codes[0] == 200 and 429 in codes[1:] and set(codes) <= {200, 429}
