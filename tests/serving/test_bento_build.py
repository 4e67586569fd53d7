"""`bentoml build` from the project root: the Bento holds the service, the scoring package, the model and
exactly pinned requirements, and it serves on the host (tests/container runs its image)."""

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


def test_serving_requirements_are_what_the_served_service_imports_and_match_the_lock(bentoml_home):
    """The script traces a real `bentoml serve` of the small model; its check fails when the file differs
    from what the service imports or when a project module it imports is not packed by the Bento."""
    check = subprocess.run(
        [sys.executable, "scripts/serving_requirements.py", "--check"],
        check=False,
        cwd=PROJECT_ROOT,
        env={**os.environ, "BENTOML_HOME": str(bentoml_home)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert check.returncode == 0, check.stderr[-3000:]
    serving, lock = _pins(PROJECT_ROOT / "requirements-serving.txt"), _pins(PROJECT_ROOT / "requirements.lock")
    assert {"bentoml", "catboost", "numba", "polars", "pydantic", "uvicorn", "httptools", "psycopg", "mlflow-skinny"} <= set(
        serving
    )
    assert not {"kedro", "kedro-mlflow", "lightgbm", "xgboost-cpu", "scikit-learn", "shap", "optuna", "streamlit"} & set(serving)
    assert {name: version for name, version in serving.items() if lock.get(name) != version} == {}


def test_a_project_module_missing_from_the_bento_is_named(monkeypatch):
    sys.path.insert(0, str(PROJECT_ROOT / "scripts"))
    try:
        import serving_requirements
    finally:
        sys.path.remove(str(PROJECT_ROOT / "scripts"))
    packed = serving_requirements.packed_files()
    monkeypatch.setattr(
        serving_requirements,
        "packed_files",
        lambda: {path for path in packed if path.name != "constants.py"},
    )
    imported = {"pret_a_depenser", "pret_a_depenser.scoring", "pret_a_depenser.constants", "numpy"}
    assert serving_requirements.unpacked_project_modules(imported) == [
        "pret_a_depenser.constants (src/pret_a_depenser/constants.py)"
    ]


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
    assert "FROM localhost/pret-a-depenser-python:3.11-bookworm" in dockerfile and "env/python/install.sh" in dockerfile
    assert "VOLUME /var/lib/credit_scoring" in dockerfile and "HEALTHCHECK" in dockerfile
    assert "--no-deps" in (bento / "env/python/install.sh").read_text()
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
