"""The decision audit log: one record per decision under a concurrent burst, and pruning by retention only."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
from datetime import UTC, datetime, timedelta

import httpx

from pret_a_depenser.scoring import ApplicantRecords, Decision
from pret_a_depenser.scoring.audit import DecisionAuditLog, canonical_features, read_decisions

from .conftest import service_app


def test_a_concurrent_burst_leaves_exactly_one_record_per_decision(service_module, audit_log_path, holdout_applicants):
    applicants = holdout_applicants["request"].tolist()[:30]  # within the 32 requests and 2 batches in flight the service admits
    vectors = {}

    requests = []
    for index, applicant in enumerate(applicants):
        if index % 15 == 0:
            requests.append(("/predict_batch", applicants[index : index + 3], 3))
        elif index % 7 == 0:
            requests.append(("/explain", applicant, 1))
        else:
            requests.append(("/predict", applicant, 1))

    async def burst() -> list[httpx.Response]:
        app = service_app(service_module)
        async with app.router.lifespan_context(app):  # leaving it runs the shutdown hook: the log is drained
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
                return await asyncio.gather(
                    *(
                        client.post(route, json=body, headers={"x-request-id": f"burst-{i}"})
                        for i, (route, body, _) in enumerate(requests)
                    )
                )

    responses = asyncio.run(burst())
    assert [response.status_code for response in responses] == [200] * len(requests)
    request_ids = [response.headers["x-request-id"] for response in responses]
    assert len(set(request_ids)) == len(requests)  # one unique id per request, the client's kept beside it

    records = [record for record in read_decisions(audit_log_path) if (record["client_request_id"] or "").startswith("burst-")]
    assert len(records) == sum(count for _, _, count in requests)
    assert sorted({record["client_request_id"] for record in records}) == sorted(f"burst-{i}" for i in range(len(requests)))
    assert {record["request_id"] for record in records} == set(request_ids)
    model = service_module.LOADED["model"]
    by_request = {(record["request_id"], record["position"]): record for record in records}
    for i, ((route, body, _), response) in enumerate(zip(requests, responses, strict=True)):
        sent = body if isinstance(body, list) else [body]
        answered = response.json()["predictions"] if route == "/predict_batch" else [response.json()]
        for position, (applicant, answer) in enumerate(zip(sent, answered, strict=True)):
            record = by_request[(request_ids[i], position)]
            assert record["endpoint"] == route.strip("/") and record["decision"] == answer["decision"]
            assert record["applicant_id"] == applicant["application"]["SK_ID_CURR"]
            assert record["probability_of_default"] == answer["probability_of_default"]
            assert record["model_tag"] == model.tag and record["mlflow_run_id"] == model.mlflow_run_id
            logged = json.loads(record["features"])  # the model features computed from the records
            expected = vectors.setdefault(
                applicant["application"]["SK_ID_CURR"],
                model.feature_values(model.inputs_from_records([ApplicantRecords.model_validate(applicant)]), 0),
            )
            assert set(logged) == set(model.features) and logged == json.loads(canonical_features(expected))
            assert record["features_sha256"] == hashlib.sha256(record["features"].encode()).hexdigest()
            if route == "/explain":
                assert [reason["feature"] for reason in json.loads(record["reasons"])] == [
                    reason["feature"] for reason in answer["reasons"]
                ]


def _decision(probability: float) -> dict:
    return Decision(probability, "ACCEPTED", 0.5, "credit_scoring:test")


def test_records_leave_the_log_only_past_the_retention_period(tmp_path):
    path = tmp_path / "decisions.sqlite"
    log = DecisionAuditLog(path, retention_days=183, model_tag="credit_scoring:test", mlflow_run_id=None)
    log.record("recent", "predict", [{"EXT_SOURCE_2": 0.5}], [_decision(0.1)], 1.0)
    log.close()
    with sqlite3.connect(path) as connection:
        for request_id, age_days in (("five_months", 150), ("seven_months", 213)):
            timestamp = (datetime.now(UTC) - timedelta(days=age_days)).isoformat()
            connection.execute(
                "INSERT INTO decisions (timestamp, request_id, endpoint, position, model_tag, features, features_sha256, probability_of_default, threshold, decision, reasons, unseen_categories, latency_ms) "
                "VALUES (?, ?, 'predict', 0, 'credit_scoring:test', '{}', '', 0.2, 0.5, 'ACCEPTED', '[]', '[]', 1.0)",
                (timestamp, request_id),
            )
    DecisionAuditLog(path, retention_days=365, model_tag="credit_scoring:test", mlflow_run_id=None).close()
    assert {record["request_id"] for record in read_decisions(path)} == {"recent", "five_months", "seven_months"}
    DecisionAuditLog(path, retention_days=183, model_tag="credit_scoring:test", mlflow_run_id=None).close()
    assert {record["request_id"] for record in read_decisions(path)} == {"recent", "five_months"}


def test_client_request_ids_are_kept_ascii_beside_a_unique_id_and_odd_paths_are_read(
    client, holdout_applicants, audit_log_path, tmp_path
):
    body = holdout_applicants["request"].iloc[0]
    first = client.post("/predict", json=body, headers={"x-request-id": "same-id"})
    second = client.post("/predict", json=body, headers={"x-request-id": "same-id"})
    accented = client.post("/predict", json=body, headers={"x-request-id": "réf-é".encode()})  # UTF-8 bytes on the wire
    assert first.json()["request_id"] != second.json()["request_id"] == second.headers["x-request-id"]
    records = {record["request_id"]: record for record in read_decisions(audit_log_path)}
    assert (
        records[first.json()["request_id"]]["client_request_id"]
        == records[second.json()["request_id"]]["client_request_id"]
        == "same-id"
    )
    assert records[accented.json()["request_id"]]["client_request_id"] == "r%C3%A9f-%C3%A9"
    odd = tmp_path / "audit #1" / "decisions?.sqlite"
    log = DecisionAuditLog(odd, retention_days=183, model_tag="credit_scoring:test", mlflow_run_id=None)
    log.record("odd", "predict", [{"EXT_SOURCE_2": 0.5}], [_decision(0.1)], 1.0).result(timeout=10)
    log.close()
    assert [record["request_id"] for record in read_decisions(odd)] == ["odd"]


def test_a_log_created_before_the_newer_columns_gets_them_and_keeps_its_records(tmp_path):
    path = tmp_path / "decisions.sqlite"
    old_schema = """CREATE TABLE decisions (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TEXT NOT NULL, request_id TEXT NOT NULL,
        endpoint TEXT NOT NULL, position INTEGER NOT NULL, model_tag TEXT NOT NULL, mlflow_run_id TEXT, features TEXT NOT NULL,
        features_sha256 TEXT NOT NULL, probability_of_default REAL NOT NULL, threshold REAL NOT NULL, decision TEXT NOT NULL,
        reasons TEXT NOT NULL, unseen_categories TEXT NOT NULL, latency_ms REAL NOT NULL)"""
    with sqlite3.connect(path) as connection:
        connection.execute(old_schema)
        connection.execute(
            "INSERT INTO decisions VALUES (1, ?, 'old', 'predict', 0, 'm:1', NULL, '{}', 'x', 0.1, 0.5, 'ACCEPTED', '[]', '[]', 1.0)",
            (datetime.now(UTC).isoformat(),),
        )
    log = DecisionAuditLog(path, 30, "m:2", None)
    result = Decision(0.7, "REFUSED", 0.5, "credit_scoring:test")
    log.record("new", "predict", [{"A": 1.0}], [result], 2.0, "client", [100042]).result(timeout=10)
    log.close()
    records = read_decisions(path)
    assert [(r["request_id"], r["client_request_id"], r["applicant_id"]) for r in records] == [
        ("old", None, None),
        ("new", "client", 100042),
    ]
