"""`bentoml build` from the project root: the Bento holds the service, the scoring package, the model and
exactly pinned requirements, and it serves. (No Docker engine here: the test stops at the Dockerfile.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import yaml

from .conftest import PROJECT_ROOT
from .test_bentoml_serve import free_port, wait_until_ready

BENTOML = str(Path(sys.executable).parent / "bentoml")


def _pins(path: Path) -> dict[str, str]:
    lines = [line.strip() for line in path.read_text().splitlines() if "==" in line and not line.startswith("#")]
    return {name.lower().replace("_", "-"): version for name, version in (line.split("==") for line in lines)}


def test_serving_requirements_are_current_and_match_the_lock():
    check = subprocess.run(
        [sys.executable, "scripts/serving_requirements.py", "--check"],
        check=False,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    serving, lock = _pins(PROJECT_ROOT / "requirements-serving.txt"), _pins(PROJECT_ROOT / "requirements.lock")
    assert {"bentoml", "catboost", "numba", "polars", "pydantic", "huggingface-hub", "mlflow-skinny"} <= set(serving)
    assert {name: version for name, version in serving.items() if lock.get(name) != version} == {}


def test_bentoml_build_packs_service_model_and_pinned_requirements(bentoml_home, finished_project):
    env = {**os.environ, "BENTOML_HOME": str(bentoml_home)}
    built = subprocess.run(
        [BENTOML, "build", "--output", "tag"], check=False, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert built.returncode == 0, built.stderr[-3000:] + built.stdout[-3000:]
    tag = built.stdout.strip().splitlines()[-1].removeprefix("__tag__:")
    name, version = tag.split(":")
    bento = bentoml_home / "bentos" / name / version

    manifest = yaml.safe_load((bento / "bento.yaml").read_text())
    model_tags = [model["tag"] for service in manifest["services"] for model in service["models"]]
    latest = (bentoml_home / "models" / "credit_scoring" / "latest").read_text().strip()
    assert model_tags == [f"credit_scoring:{latest}"]
    assert manifest["services"][0]["config"]["traffic"] == {"timeout": 30}  # the concurrency limit is a middleware of the service
    packed_files = ("scoring/model.py", "scoring/records.py", "features/engine.py", "features/kernels.py", "raw_contract.py")
    for packed in ("src/service.py", "apis/openapi.yaml", *(f"src/src/pret_a_depenser/{name}" for name in packed_files)):
        assert (bento / packed).is_file(), packed
    assert _pins(bento / "env/python/requirements.txt") == _pins(PROJECT_ROOT / "requirements-serving.txt")
    dockerfile = (bento / "env/docker/Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile and "requirements.txt" in dockerfile
    openapi = yaml.safe_load((bento / "apis/openapi.yaml").read_text())
    assert {"/predict", "/predict_batch", "/explain", "/predict_features"} <= set(openapi["paths"])

    port = free_port()
    server = subprocess.Popen(
        [BENTOML, "serve", tag, "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=finished_project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        wait_until_ready(server, f"http://127.0.0.1:{port}")
        assert httpx.get(f"http://127.0.0.1:{port}/health").json()["model_tag"] == model_tags[0]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
