"""A shared MLflow tracking server backed by PostgreSQL: `mlflow server` started here, a run tracked
through it over HTTP, and the run stored in the database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import mlflow
import psycopg


def test_an_mlflow_server_on_postgresql_tracks_a_run(postgres_url, tmp_path):
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("CREATE DATABASE mlflow")
    backend = postgres_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/mlflow"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        str(Path(sys.executable).parent / "mlflow"),
        "server",
        "--backend-store-uri",
        backend,
        "--artifacts-destination",
        str(tmp_path / "artifacts"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    log = (tmp_path / "mlflow-server.log").open("w")
    server = subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "mlflow-server.log").read_text()[-3000:]
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        mlflow.set_tracking_uri(url)
        mlflow.set_experiment("shared")
        with mlflow.start_run(run_name="from another machine") as run:
            mlflow.log_param("n_trials", 8)
            mlflow.log_metric("holdout_roc_auc", 0.81)
            mlflow.log_text("model card", "model_card.md")
        fetched = mlflow.get_run(run.info.run_id)
        assert fetched.data.params["n_trials"] == "8" and fetched.data.metrics["holdout_roc_auc"] == 0.81
        assert [artifact.path for artifact in mlflow.MlflowClient().list_artifacts(run.info.run_id)] == ["model_card.md"]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        mlflow.set_tracking_uri(None)
    with psycopg.connect(postgres_url.rsplit("/", 1)[0] + "/mlflow") as connection:
        assert connection.execute("SELECT name FROM runs WHERE run_uuid = %s", (run.info.run_id,)).fetchone() == (
            "from another machine",
        )
