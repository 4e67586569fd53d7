"""`bentoml serve` as a user starts it, on a free loopback port: HTTP scoring and a graceful SIGTERM."""

from __future__ import annotations

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
import pandas as pd
import pytest

from pret_a_depenser.scoring.audit import read_decisions

from .conftest import PROJECT_ROOT, applicant_json


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(bentoml_home: Path, port: int, **environment: str) -> subprocess.Popen:
    env = {**os.environ, "BENTOML_HOME": str(bentoml_home), "CREDIT_SCORING_AUDIT_LOG": str(bentoml_home.parent / "serve_test_audit.sqlite"), **environment}
    command = [str(Path(sys.executable).parent / "bentoml"), "serve", "service:CreditScoring", "--host", "127.0.0.1", "--port", str(port)]
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def wait_until_ready(server: subprocess.Popen, url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"bentoml serve exited with {server.returncode}: {server.stdout.read()[-3000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError("bentoml serve did not become ready")


@pytest.fixture(scope="module")
def kept_features(finished_project) -> list[str]:
    return json.loads((finished_project / "data/05_model_input/kept_features.json").read_text())


def test_bentoml_serve_scores_over_http_and_finishes_in_flight_requests_on_sigterm(bentoml_home, holdout_applicants, kept_features, finished_project):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(bentoml_home, port)
    try:
        wait_until_ready(server, url)
        health = httpx.get(f"{url}/health").json()
        assert health["ready"] and health["n_features"] == len(kept_features)

        first = applicant_json(holdout_applicants.iloc[0], kept_features)
        predicted = httpx.post(f"{url}/predict", json=first).json()
        assert predicted["probability_of_default"] == pytest.approx(holdout_applicants.iloc[0]["PD"], abs=1e-12)

        # The shipped example is a row of the generated data: its fields are real feature columns.
        example = json.loads((PROJECT_ROOT / "examples" / "input_example.json").read_text())
        columns = pd.read_parquet(finished_project / "data/05_model_input/model_input_train.parquet").columns
        assert set(example) <= set(columns)
        response = httpx.post(f"{url}/predict", json={name: example[name] for name in kept_features if name in example})
        assert response.status_code == 200, response.text

        batch = [applicant_json(row, kept_features) for _, row in holdout_applicants.head(1000).iterrows()]
        results: list[object] = []

        def send() -> None:
            try:
                results.append(httpx.post(f"{url}/predict_batch", json=batch, timeout=60).status_code)
            except httpx.HTTPError as error:
                results.append(error)

        clients = [threading.Thread(target=send) for _ in range(4)]
        for thread in clients:
            thread.start()
        time.sleep(0.3)  # the four requests are now queued or being scored in the server
        stopped_at = time.monotonic()
        os.kill(server.pid, signal.SIGTERM)
        for thread in clients:
            thread.join(timeout=60)
        server.wait(timeout=60)
        assert results == [200, 200, 200, 200]
        assert time.monotonic() - stopped_at < 30
        # Every decision served, including those finished after SIGTERM, is in the audit log.
        records = read_decisions(bentoml_home.parent / "serve_test_audit.sqlite")
        assert len(records) == 2 + 4 * len(batch)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
