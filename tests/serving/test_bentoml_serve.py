"""`bentoml serve` as a user starts it, on a free loopback port: the pipeline's decisions over HTTP from
the raw files' records, settings from the environment, and a graceful SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from pret_a_depenser.scoring.audit import read_decisions

from .conftest import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(bentoml_home: Path, port: int, audit_log: Path, **environment: str) -> subprocess.Popen:
    """``bentoml serve`` with its log in a file next to the audit log (``server.log_path``); one worker
    unless ``CREDIT_SCORING_WORKERS`` is given (the default, one per CPU, is tested where it matters)."""
    env = {
        **os.environ,
        "BENTOML_HOME": str(bentoml_home),
        "CREDIT_SCORING_AUDIT_LOG": str(audit_log),
        "CREDIT_SCORING_WORKERS": "1",
        **environment,
    }
    command = [
        str(Path(sys.executable).parent / "bentoml"),
        "serve",
        "service:CreditScoring",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    log_path = audit_log.parent / f"serve-{port}.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )
    server.log_path = log_path
    return server


def wait_until_ready(server: subprocess.Popen, url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log = server.log_path.read_text() if hasattr(server, "log_path") else server.stdout.read()
            raise AssertionError(f"bentoml serve exited with {server.returncode}: {log[-3000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError("bentoml serve did not become ready")


def stop(server: subprocess.Popen) -> str:
    """SIGTERM the server's process group, SIGKILL what is left after 30 s; the server's log."""
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(server.pid, sent)
        except ProcessLookupError:
            break
        try:
            server.wait(timeout=30)
            break
        except subprocess.TimeoutExpired:
            continue
    return server.log_path.read_text()


def test_under_bentoml_serve_the_raw_files_records_get_the_pipeline_decisions(
    bentoml_home, holdout_applicants, test_applicants, tmp_path
):
    """Parity through HTTP: every holdout applicant, one request each, and every test applicant in batches,
    built from their rows in data/01_raw/*.csv, get the PD the pipeline wrote, to 1e-9; then SIGTERM
    finishes the requests in flight and every decision is in the audit log."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    audit_log = tmp_path / "decisions.sqlite"
    server = start_server(
        bentoml_home, port, audit_log, CREDIT_SCORING_MAX_CONCURRENT_BATCHES="4"
    )  # the four batches in flight at SIGTERM
    try:
        wait_until_ready(server, url)
        assert httpx.get(f"{url}/health").json()["ready"] is True
        with httpx.Client(base_url=url, timeout=60) as client:
            singles = [
                client.post("/predict", json=request).json()["probability_of_default"]
                for request in holdout_applicants["request"]
            ]
            batched = []
            requests = test_applicants["request"].tolist()
            for start in range(0, len(requests), 250):
                batched += [
                    item["probability_of_default"]
                    for item in client.post("/predict_batch", json=requests[start : start + 250]).json()["predictions"]
                ]
            example = json.loads((PROJECT_ROOT / "examples" / "applicant.json").read_text())
            assert client.post("/predict", json=example).status_code == 200
        assert np.abs(np.array(singles) - holdout_applicants["PD"].to_numpy()).max() <= 1e-9
        assert np.abs(np.array(batched) - test_applicants["probability_of_default"].to_numpy()).max() <= 1e-9

        batch = requests[:200]
        body = json.dumps(batch).encode()
        results: list[object] = []

        def send() -> None:
            try:
                results.append(
                    httpx.post(
                        f"{url}/predict_batch", content=body, headers={"content-type": "application/json"}, timeout=60
                    ).status_code
                )
            except httpx.HTTPError as error:
                results.append(error)

        clients = [threading.Thread(target=send) for _ in range(4)]
        for thread in clients:
            thread.start()
        time.sleep(0.5)  # the four requests are now queued or being scored in the server
        stopped_at = time.monotonic()
        os.kill(server.pid, signal.SIGTERM)
        for thread in clients:
            thread.join(timeout=60)
        server.wait(timeout=60)
        assert results == [200, 200, 200, 200]
        assert time.monotonic() - stopped_at < 30
        records = read_decisions(audit_log)
        assert len(records) == len(singles) + len(batched) + 1 + 4 * len(batch)
    finally:
        log = stop(server)
    assert "CREDIT_SCORING_API_KEY is not set" in log  # an open service says so at start-up


@pytest.fixture(scope="module")
def limited_server(bentoml_home, tmp_path_factory):
    port = free_port()
    environment = {
        "CREDIT_SCORING_MAX_BODY_BYTES": "60000",
        "CREDIT_SCORING_MAX_BATCH_BODY_BYTES": "150000",
        "CREDIT_SCORING_API_KEY": "s3cret-key",
    }
    server = start_server(bentoml_home, port, tmp_path_factory.mktemp("audit") / "decisions.sqlite", **environment)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(server, url)
        yield url
    finally:
        stop(server)


def test_oversized_body_is_413_before_parsing_declared_or_chunked(limited_server):
    big = json.dumps({"padding": "x" * 70000}).encode()
    headers = {"authorization": "Bearer s3cret-key", "content-type": "application/json"}
    with httpx.Client(base_url=limited_server) as client:
        response = client.post("/predict", content=big, headers=headers)
        assert response.status_code == 413 and "60000-byte limit" in response.json()["error"]
        response = client.post("/explain", content=(chunk for chunk in (big[:50000], big[50000:])), headers=headers)
        assert response.status_code == 413
        assert (
            client.post("/predict_batch", content=b"[" + b" " * 100000 + b"]", headers=headers).status_code == 400
        )  # under the batch limit
        assert client.post("/predict_batch", content=b"[" + b" " * 160000 + b"]", headers=headers).status_code == 413


def test_api_key_guards_scoring_routes_only(limited_server, holdout_applicants, feature_vectors):
    request = {"application": holdout_applicants["request"].iloc[0]["application"]}
    with httpx.Client(base_url=limited_server) as client:
        for route, body in (
            ("/predict", request),
            ("/explain", request),
            ("/predict_batch", [request]),
            ("/predict_features", feature_vectors[0]),
        ):
            assert client.post(route, json=body).status_code == 401
            assert client.post(route, json=body, headers={"authorization": "Bearer wrong"}).status_code == 401
            response = client.post(route, json=body, headers={"authorization": "Bearer s3cret-key"})
            assert response.status_code == 200, response.text
        assert client.post("/predict", json=request).json()["error"].startswith("missing or invalid API key")
        for route in ("/health", "/livez", "/readyz"):
            assert client.get(route).status_code == 200, route


def test_requests_past_the_concurrency_limit_get_429_at_once(bentoml_home, test_applicants, tmp_path):
    port = free_port()
    server = start_server(bentoml_home, port, tmp_path / "decisions.sqlite", CREDIT_SCORING_MAX_CONCURRENCY="1")
    url = f"http://127.0.0.1:{port}"
    batch = test_applicants["request"].tolist()[:400]
    bodies = [json.dumps(batch).encode()] + [json.dumps(batch[0]).encode()] * 5
    headers = {"content-type": "application/json"}

    async def burst() -> list[int]:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            responses = await asyncio.gather(
                *(client.post("/explain" if i else "/predict_batch", content=bodies[i], headers=headers) for i in range(6))
            )
        return [(response.status_code, response.headers.get("retry-after")) for response in responses]

    try:
        wait_until_ready(server, url)
        answers = asyncio.run(burst())
    finally:
        stop(server)
    codes = [code for code, _ in answers]
    assert 200 in codes and 429 in codes and set(codes) <= {200, 429}
    assert all(retry_after == "1" for code, retry_after in answers if code == 429)
