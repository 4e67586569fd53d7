"""The service's other model sources, on local stand-ins: an MLflow tracking server the test starts, and
a pre-filled Hugging Face Hub cache (offline). The loading code is the one production runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from pret_a_depenser.scoring import ModelSourceError, load_scoring_model

from .conftest import PROJECT_ROOT, use_bentoml_home
from .test_bentoml_serve import free_port

# Scores one applicant's records through service.py (TestClient) in a process started with the given environment.
SCORE_THROUGH_SERVICE = """
import json, sys
sys.path.insert(0, ".")
import service
from starlette.testclient import TestClient
applicant = json.loads(sys.argv[1])
with TestClient(service.CreditScoring.to_asgi()) as client:
    print(json.dumps({"health": client.get("/health").json(), "prediction": client.post("/predict", json=applicant).json()}))
"""


def score_through_service(applicant: dict, audit_log: Path, **environment: str) -> dict:
    env = {**os.environ, "CREDIT_SCORING_AUDIT_LOG": str(audit_log), **environment}
    result = subprocess.run(
        [sys.executable, "-c", SCORE_THROUGH_SERVICE, json.dumps(applicant)],
        check=False,
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def bento_model(bentoml_home):
    use_bentoml_home(bentoml_home)
    return load_scoring_model({"source": "bentoml"})


@pytest.fixture(scope="module")
def first_applicant(holdout_applicants) -> tuple[dict, float]:
    row = holdout_applicants.iloc[0]
    return row["request"], float(row["PD"])


def test_model_from_a_hugging_face_repository_in_an_offline_hub_cache(tmp_path, bentoml_home, bento_model, first_applicant):
    revision = "0123456789abcdef0123456789abcdef01234567"
    repository = tmp_path / "hub" / "models--acme--credit-scoring"
    snapshot = repository / "snapshots" / revision
    snapshot.mkdir(parents=True)
    (repository / "refs").mkdir()
    (repository / "refs" / "main").write_text(revision)
    for name in ("model.cbm", "serving.json"):
        shutil.copy(bentoml_home / "models" / "credit_scoring" / bento_model.tag.split(":")[1] / name, snapshot / name)

    applicant, pipeline_pd = first_applicant
    served = score_through_service(
        applicant,
        tmp_path / "audit.sqlite",
        CREDIT_SCORING_MODEL_SOURCE="hf",
        HF_REPO_ID="acme/credit-scoring",
        HF_HUB_CACHE=str(tmp_path / "hub"),
        HF_HUB_OFFLINE="1",
    )
    assert served["health"]["model_source"] == "hf" and served["health"]["model_tag"] == f"hf:acme/credit-scoring@{revision[:12]}"
    assert served["health"]["mlflow_run_id"] == bento_model.mlflow_run_id
    assert served["prediction"]["probability_of_default"] == pytest.approx(pipeline_pd, abs=1e-12)

    missing = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pret_a_depenser.scoring import load_scoring_model; load_scoring_model({'source': 'hf', 'hf_repo_id': 'acme/absent'})",
        ],
        check=False,
        env={**os.environ, "HF_HUB_CACHE": str(tmp_path / "hub"), "HF_HUB_OFFLINE": "1"},
        capture_output=True,
        text=True,
    )
    assert missing.returncode != 0 and "ModelSourceError" in missing.stderr and "'acme/absent'" in missing.stderr


@pytest.fixture(scope="module")
def mlflow_server(finished_project):
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "mlflow"),
        "server",
        "--backend-store-uri",
        f"sqlite:///{finished_project / 'mlflow.db'}",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    server = subprocess.Popen(
        command, cwd=finished_project, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read()[-3000:]
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(timeout=30)


def test_model_from_the_mlflow_registry_of_a_tracking_server(mlflow_server, bento_model, first_applicant, tmp_path):
    applicant, pipeline_pd = first_applicant
    served = score_through_service(
        applicant,
        tmp_path / "audit.sqlite",
        CREDIT_SCORING_MODEL_SOURCE="mlflow",
        CREDIT_SCORING_MLFLOW_MODEL_URI="models:/credit_scoring/latest",
        MLFLOW_TRACKING_URI=mlflow_server,
    )
    assert (
        served["health"]["model_source"] == "mlflow" and served["health"]["model_tag"] == "mlflow:models:/credit_scoring/latest"
    )
    assert served["health"]["mlflow_run_id"] == bento_model.mlflow_run_id
    assert served["health"]["threshold"] == bento_model.threshold
    assert served["prediction"]["probability_of_default"] == pytest.approx(pipeline_pd, abs=1e-12)


def test_unusable_model_sources_are_named(bentoml_home, monkeypatch):
    use_bentoml_home(bentoml_home)
    with pytest.raises(ModelSourceError, match="'credit_scoring:doesnotexist' is not in the local model store"):
        load_scoring_model({"source": "bentoml", "bentoml_tag": "credit_scoring:doesnotexist"})
    with pytest.raises(ModelSourceError, match="unknown model source 's3'"):
        load_scoring_model({"source": "s3"})
    with pytest.raises(ModelSourceError, match="needs a model URI"):
        load_scoring_model({"source": "mlflow"})
