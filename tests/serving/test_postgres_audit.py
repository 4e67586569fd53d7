"""The decision audit log on a real PostgreSQL server: the same records and durability rule as SQLite,
shared by two `bentoml serve` workers, and every answered decision recorded after a SIGKILL mid-burst."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from pret_a_depenser.scoring import Decision
from pret_a_depenser.scoring.audit import AuditLogUnavailable, DecisionAuditLog, check_audit_store, read_decisions

from .test_bentoml_serve import free_port, start_server, stop, wait_until_ready
from .test_reliability import burst_then_kill, unrecorded, worker_processes

JSON = {"content-type": "application/json"}
RESULT = Decision(0.7, "REFUSED", 0.5, "credit_scoring:test")


@pytest.fixture()
def database(postgres_url) -> str:
    """A fresh database on the session's server."""
    name = f"audit_{time.monotonic_ns()}"
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return postgres_url.rsplit("/", 1)[0] + f"/{name}"


def test_records_are_committed_read_back_and_pruned_by_retention_only(database):
    url = database.replace("postgresql://", "postgresql+psycopg://")  # SQLAlchemy's form works too
    check_audit_store(url)
    log = DecisionAuditLog(url, 30, "credit_scoring:1", "run-1")
    log.record("first", "predict", [{"A": 1.0}], [RESULT], 2.0, "client-1", [100001]).result(timeout=10)
    log.record("second", "predict_batch", [{"A": 2.0}, {"A": 3.0}], [RESULT, RESULT], 3.0, None, [100002, 100003]).result(
        timeout=10
    )
    log.close()
    records = read_decisions(database)
    assert [(r["request_id"], r["position"], r["applicant_id"], r["client_request_id"]) for r in records] == [
        ("first", 0, 100001, "client-1"),
        ("second", 0, 100002, None),
        ("second", 1, 100003, None),
    ]
    assert json.loads(records[1]["features"]) == {"A": 2.0} and records[0]["model_tag"] == "credit_scoring:1"
    old = (datetime.now(UTC) - timedelta(days=40)).isoformat()
    with psycopg.connect(database, autocommit=True) as connection:
        connection.execute("UPDATE decisions SET timestamp = %s WHERE request_id = 'first'", (old,))
    DecisionAuditLog(database, 30, "credit_scoring:1", None).close()  # pruning happens at start-up
    assert [record["request_id"] for record in read_decisions(database)] == ["second", "second"]


def test_a_database_that_cannot_be_reached_or_written_is_named_without_its_password(postgres_url):
    unreachable = f"postgresql://app:secret@127.0.0.1:{free_port()}/postgres"
    with pytest.raises(AuditLogUnavailable, match=r"app:\*\*\*@127\.0\.0\.1") as error:
        check_audit_store(unreachable)
    assert "secret" not in str(error.value)


def test_two_workers_share_one_log_and_a_sigkill_mid_burst_loses_no_answered_decision(
    bentoml_home, test_applicants, database, tmp_path
):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(
        bentoml_home, port, tmp_path / "unused.sqlite", CREDIT_SCORING_AUDIT_LOG=database, CREDIT_SCORING_WORKERS="2"
    )
    try:
        wait_until_ready(server, url)
        workers = worker_processes(server, 2)
        answered = burst_then_kill(url, test_applicants["request"].tolist(), 200, workers[0], min_answered=40)
    finally:
        stop(server)  # SIGTERM: the surviving workers drain their queues
    records = read_decisions(database)
    missing = unrecorded(answered, records)
    assert missing == {}, f"{len(missing)} answered requests without exactly their records, e.g. {list(missing.items())[:5]}"
    assert len({record["model_tag"] for record in records}) == 1


def test_the_catalog_reads_the_postgresql_log_for_monitoring(database):
    from pret_a_depenser.datasets import AuditLogDataset

    log = DecisionAuditLog(database, 30, "credit_scoring:1", None)
    log.record("r", "predict", [{"A": 1.0}], [RESULT], 2.0, None, [7]).result(timeout=10)
    log.close()
    frame = AuditLogDataset(filepath=database).load()
    assert frame["applicant_id"].tolist() == [7] and frame["model_tag"].tolist() == ["credit_scoring:1"]
