"""Probes of the served model under `bentoml serve`: no answered decision without its committed record.

A worker killed with SIGKILL in the middle of a burst (single applicants and batches) leaves every
decision it answered 200 in the audit log; with the log locked by another process the service answers
503, never a decision it did not record; a model or audit log that cannot be used stops the server at
once with one line.
"""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import threading
import time

import httpx
import psutil
import pytest

from pret_a_depenser.scoring.audit import check_audit_store, read_decisions

from .test_bentoml_serve import free_port, start_server, stop, wait_until_ready

JSON = {"content-type": "application/json"}


def worker_processes(server, count: int = 1) -> list[psutil.Process]:
    """The ``count`` API workers that `bentoml serve` started (they score and write the audit log)."""
    deadline = time.monotonic() + 60
    workers: list[psutil.Process] = []
    while time.monotonic() < deadline:
        workers = [
            child
            for child in psutil.Process(server.pid).children(recursive=True)
            if "_bentoml_impl.worker.service" in " ".join(child.cmdline())
        ]
        if len(workers) >= count:
            return workers
        time.sleep(0.2)
    raise AssertionError(f"{len(workers)} BentoML worker processes found, {count} expected")


def burst_then_kill(url: str, requests: list[dict], batch_size: int, victim: psutil.Process, min_answered: int) -> dict[str, int]:
    """Eight clients (one sending ``batch_size``-applicant batches, seven single applicants) until some
    singles and a batch are answered; then ``victim`` is killed with SIGKILL (no shutdown hook, no
    drain) while more requests are in flight. The service's request id -> decisions answered 200."""
    singles = [json.dumps(request).encode() for request in requests]
    batch = json.dumps(requests[:batch_size]).encode()
    answered: dict[str, int] = {}
    lock = threading.Lock()
    stop_sending = threading.Event()

    def client(number: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as session:
            for index in range(10_000):
                if stop_sending.is_set():
                    return
                is_batch = number == 0
                try:
                    response = session.post(
                        "/predict_batch" if is_batch else "/predict",
                        content=batch if is_batch else singles[index % len(singles)],
                        headers=JSON,
                    )
                except httpx.HTTPError:
                    continue  # a connection of the killed worker; another worker (or its replacement) may answer
                if response.status_code == 200:
                    with lock:
                        answered[response.headers["x-request-id"]] = batch_size if is_batch else 1

    clients = [threading.Thread(target=client, args=(number,)) for number in range(8)]
    for thread in clients:
        thread.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with lock:
            if len(answered) >= min_answered and batch_size in answered.values():
                break
        time.sleep(0.1)
    victim.kill()
    time.sleep(1)
    stop_sending.set()
    for thread in clients:
        thread.join(timeout=60)
    assert sum(1 for count in answered.values() if count == batch_size) >= 1 and len(answered) >= min_answered, answered
    return answered


def unrecorded(answered: dict[str, int], records: list[dict]) -> dict[str, int]:
    """Answered requests whose decisions are not exactly in the audit records (by the service's request id)."""
    recorded: dict[str, int] = {}
    for record in records:
        recorded[record["request_id"]] = recorded.get(record["request_id"], 0) + 1
    return {request_id: count for request_id, count in answered.items() if recorded.get(request_id) != count}


def test_two_workers_share_the_sqlite_log_and_a_sigkill_mid_burst_loses_no_answered_decision(
    bentoml_home, test_applicants, tmp_path
):
    """The default SQLite log under two workers (the default on a 2-CPU machine): both write the one
    file, one is killed with SIGKILL mid-burst, and every decision answered 200 has exactly its records."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    audit_log = tmp_path / "decisions.sqlite"
    server = start_server(bentoml_home, port, audit_log, CREDIT_SCORING_WORKERS="2")
    try:
        wait_until_ready(server, url)
        workers = worker_processes(server, 2)
        answered = burst_then_kill(url, test_applicants["request"].tolist(), 300, workers[0], min_answered=20)
    finally:
        stop(server)  # SIGTERM: the surviving worker drains its queue
    records = read_decisions(audit_log)
    missing = unrecorded(answered, records)
    assert missing == {}, f"{len(missing)} answered requests without all their records, e.g. {list(missing.items())[:5]}"


def test_a_locked_audit_log_gives_503_not_unrecorded_decisions(bentoml_home, holdout_applicants, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    audit_log = tmp_path / "decisions.sqlite"
    server = start_server(bentoml_home, port, audit_log, CREDIT_SCORING_AUDIT_COMMIT_TIMEOUT="1")
    body = holdout_applicants["request"].iloc[0]
    try:
        wait_until_ready(server, url)
        assert httpx.post(f"{url}/predict", json=body, headers={"x-request-id": "before"}).status_code == 200
        holder = sqlite3.connect(audit_log, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            responses = [
                httpx.post(f"{url}/predict", json=body, headers={"x-request-id": f"locked-{i}"}, timeout=30) for i in range(3)
            ]
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert [response.status_code for response in responses] == [503, 503, 503]
        assert "probability_of_default" not in responses[0].text and responses[0].headers["retry-after"] == "1"
        assert httpx.post(f"{url}/predict", json=body, headers={"x-request-id": "after"}).status_code == 200
    finally:
        log = stop(server)
    assert {record["client_request_id"] for record in read_decisions(audit_log)} == {"before", "after"}
    assert "audit records could not be committed" in log


def _corrupt_in_the_middle(path):
    connection = sqlite3.connect(path)
    connection.executescript("CREATE TABLE filler (x TEXT);")
    connection.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,)] * 2000)
    connection.commit()
    connection.close()
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4096] = bytes(range(256)) * 16
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "broken", ["random bytes", "truncated", "corrupted in the middle", "folder is a file", "model file unloadable"]
)
def test_an_unusable_model_or_audit_store_stops_bentoml_serve_with_one_line(bentoml_home, tmp_path, broken):
    audit_log = tmp_path / "decisions.sqlite"
    home = bentoml_home
    if broken == "random bytes":
        audit_log.write_bytes(bytes(range(256)) * 100)
    elif broken == "truncated":
        check_audit_store(audit_log)
        audit_log.write_bytes(audit_log.read_bytes()[:1000])
    elif broken == "corrupted in the middle":
        _corrupt_in_the_middle(audit_log)
    elif broken == "folder is a file":
        (tmp_path / "not_a_folder").write_text("")
        audit_log = tmp_path / "not_a_folder" / "decisions.sqlite"
    else:
        home = tmp_path / "bentoml"
        shutil.copytree(bentoml_home, home)
        for model_file in (home / "models" / "credit_scoring").glob("*/model.cbm"):
            model_file.write_bytes(b"not a CatBoost model")
    server = start_server(
        home,
        free_port(),
        audit_log if broken != "folder is a file" else tmp_path / "placeholder.sqlite",
        CREDIT_SCORING_AUDIT_LOG=str(audit_log),
    )
    try:
        server.wait(timeout=120)
    finally:
        log = stop(server)
    assert server.returncode not in (0, None)
    lines = [line for line in log.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("credit_scoring cannot start: "), log[-2000:]
    assert ("model" if broken == "model file unloadable" else "decision audit log") in lines[0]


def test_unknown_paths_share_one_metrics_label(client):
    for number in range(300):
        assert client.get(f"/probe-{number}-{'x' * 50}").status_code == 404
    assert client.get("/health").status_code == 200
    metrics = client.get("/metrics").text
    endpoints = {line.split('endpoint="')[1].split('"')[0] for line in metrics.splitlines() if 'endpoint="' in line}
    assert not any(endpoint.startswith("/probe-") for endpoint in endpoints)
    assert "/<unknown>" in endpoints and "/health" in endpoints
    assert len(metrics) < 200_000


def _trickle(port: int, sent_at_once: bytes, trickled: bytes, interval: float, outcome: dict, key: int) -> None:
    """Send ``sent_at_once``, then ``trickled`` a byte every ``interval`` seconds until the server answers
    or closes; record the answer's status line and when it came."""
    started = time.monotonic()
    answer = b""
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.settimeout(interval)
        connection.sendall(sent_at_once)
        for index in range(len(trickled)):
            try:
                connection.sendall(trickled[index : index + 1])
                answer = connection.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                pass
            break
    outcome[key] = (answer.split(b"\r\n")[0].decode(errors="replace"), time.monotonic() - started)


def test_slow_clients_are_cut_while_real_clients_keep_their_200s(bentoml_home, test_applicants, tmp_path):
    """Slow senders hold no concurrency slot: with 2 slots, 8 clients sending their body a byte at a time
    and 4 sending their headers a byte at a time, every real request is answered 200, and the slow ones
    get 408 once their deadline passes."""
    port = free_port()
    server = start_server(
        bentoml_home,
        port,
        tmp_path / "decisions.sqlite",
        CREDIT_SCORING_MAX_CONCURRENCY="2",
        CREDIT_SCORING_BODY_TIMEOUT="2",
        CREDIT_SCORING_HEADER_TIMEOUT="1",
    )
    url = f"http://127.0.0.1:{port}"
    request = json.dumps(test_applicants["request"].iloc[0]).encode()
    body_head = b"POST /predict HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % len(
        request
    )
    outcome: dict[int, tuple[str, float]] = {}
    try:
        wait_until_ready(server, url)
        slow = [threading.Thread(target=_trickle, args=(port, body_head, request, 0.1, outcome, key)) for key in range(8)]
        slow += [threading.Thread(target=_trickle, args=(port, b"", body_head, 0.1, outcome, key)) for key in range(8, 12)]
        for thread in slow:
            thread.start()
        time.sleep(0.3)
        with httpx.Client(base_url=url, timeout=30, headers=JSON) as client:
            codes = [client.post("/predict", content=request).status_code for _ in range(20)]
        for thread in slow:
            thread.join(timeout=20)
    finally:
        stop(server)
    assert codes == [200] * 20
    for key in range(8):
        status, elapsed = outcome[key]
        assert status.startswith("HTTP/1.1 408") and 1.9 < elapsed < 5, (key, status, elapsed)
    for key in range(8, 12):
        status, elapsed = outcome[key]
        assert status.startswith("HTTP/1.1 408") and 0.9 < elapsed < 4, (key, status, elapsed)
