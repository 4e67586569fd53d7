"""Shared fixtures: telemetry off, and one small generated Home Credit sample per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest
import yaml

for variable, value in {
    "KEDRO_DISABLE_TELEMETRY": "1",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "BENTOML_DO_NOT_TRACK": "true",
    "DO_NOT_TRACK": "true",
}.items():
    os.environ.setdefault(variable, value)
# The service's /metrics in-process reads Prometheus' multiprocess folder, as under `bentoml serve`;
# prometheus_client picks its storage when first imported, so this comes before any import of it.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="prometheus-"))

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def small_tables() -> dict[str, pd.DataFrame]:
    """The eight Kaggle tables and generator_truth for 2,000 generated applicants."""
    from pret_a_depenser.generator import generate_home_credit

    return generate_home_credit(n_applicants=2000, seed=7, chunk_size=1000, progress=False)


@pytest.fixture(scope="session")
def small_raw_tables(small_tables, tmp_path_factory) -> dict[str, pl.DataFrame]:
    """The eight Kaggle tables of the small sample as the catalog serves them: written to CSV and read
    back as polars frames with the contract's dtypes."""
    from pret_a_depenser.datasets import RawTableDataset
    from pret_a_depenser.generator import TABLES

    folder = tmp_path_factory.mktemp("raw")
    tables = {}
    for name in TABLES:
        dataset = RawTableDataset(filepath=str(folder / f"{name}.csv"))
        dataset.save(small_tables[name])
        tables[name] = dataset.load()
    return tables


def signal_training_set(n: int, n_folds: int, seed: int = 0) -> pd.DataFrame:
    """A tiny training set (key, TARGET, FOLD, one informative SIGNAL column) for modelling node tests."""
    rng = np.random.default_rng(seed)
    signal = rng.normal(size=n)
    return pd.DataFrame(
        {
            "SK_ID_CURR": np.arange(n),
            "TARGET": (rng.random(n) < 1 / (1 + np.exp(-(2 * signal - 2)))).astype(int),
            "FOLD": np.arange(n) % n_folds,
            "SIGNAL": signal,
        }
    )


def project_environment(project: Path) -> dict[str, str]:
    """Environment for commands run in a project copy: wide logs, and a BentoML store of its own."""
    return {**os.environ, "COLUMNS": "400", "BENTOML_HOME": str(project / "bentoml")}


def kedro_run(project: Path, *arguments: str) -> subprocess.CompletedProcess:
    """``kedro run`` in a project copy; stderr with whitespace collapsed (rich wraps long messages)."""
    command = [sys.executable, "-m", "kedro", "run", *arguments]
    result = subprocess.run(
        command, check=False, cwd=project, capture_output=True, text=True, timeout=900, env=project_environment(project)
    )
    result.stderr = " ".join(result.stderr.split())
    return result


def copy_project(target: Path) -> Path:
    """The project's configuration with empty data folders (and no MLflow store) under ``target``."""
    shutil.copytree(PROJECT_ROOT / "conf", target / "conf", ignore=shutil.ignore_patterns("local"))
    (target / "conf" / "local").mkdir()
    shutil.copy(PROJECT_ROOT / "pyproject.toml", target / "pyproject.toml")
    shutil.copy(PROJECT_ROOT / ".telemetry", target / ".telemetry")
    (target / "src").mkdir()  # the package itself is imported from the installed project
    for layer in (
        "01_raw",
        "02_intermediate",
        "03_primary",
        "04_feature",
        "05_model_input",
        "06_models",
        "07_model_output",
        "08_reporting",
    ):
        (target / "data" / layer).mkdir(parents=True)
    return target


@pytest.fixture()
def project_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the project; the working directory is set to it."""
    monkeypatch.chdir(tmp_path)
    return copy_project(tmp_path)


# Small and fast settings for every modelling pipeline (a `test` Kedro environment in the copy).
SMALL_PARAMETERS = {
    # the small sample whose 45 kept features include a label and the credit term (the serving and web-app tests need both)
    "seed": 3,
    "generate_data": {"n_applicants": 2500, "chunk_size": 2500, "progress": False},
    "split": {"n_folds": 3},
    "benchmarking": {
        "sample_size": 900,
        "models": {
            "logistic_regression": {"C": 0.05, "max_iter": 100},
            "random_forest": {"n_estimators": 20, "max_depth": 6, "n_jobs": 2},
            "lightgbm": {"n_estimators": 30, "colsample_bytree": 0.3, "n_jobs": 2},
            "xgboost": {"n_estimators": 30, "max_depth": 3, "colsample_bytree": 0.3, "n_jobs": 2},
            "catboost": {"iterations": 30, "depth": 4, "thread_count": 2},
            "mlp": {"hidden_layer_sizes": [16], "max_iter": 50},
        },
    },
    "feature_selection": {
        "n_features": 45,
        "n_candidates": 80,
        "ranker": {"n_estimators": 40, "colsample_bytree": 0.3, "n_jobs": 2},
    },
    "tuning": {"n_trials": 2, "timeout": 120, "progress": False, "fixed": {"iterations": 40, "thread_count": 2}},
    "thresholding": {"bootstrap_samples": 20},
    "explainability": {"sample_size": 100, "local_examples_per_decision": 1},
}


@pytest.fixture(scope="session")
def finished_project(tmp_path_factory) -> Path:
    """A project copy after the whole default `kedro run` in a small `test` environment (its own MLflow
    and BentoML stores)."""
    project = copy_project(tmp_path_factory.mktemp("project"))
    (project / "conf" / "test").mkdir()
    (project / "conf" / "test" / "parameters.yml").write_text(yaml.safe_dump(SMALL_PARAMETERS))
    generated = kedro_run(project, "--env", "test", "--pipelines", "generate_data")
    assert generated.returncode == 0, generated.stderr[-4000:]
    result = kedro_run(project, "--env", "test")
    assert result.returncode == 0, result.stderr[-4000:]
    return project


POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its programs as the ``postgres`` user when we are root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL 15 server in a temporary folder, on a free loopback port, for the session."""
    import pwd
    import socket

    assert (POSTGRES_BIN / "initdb").exists(), (
        f"PostgreSQL 15 server binaries are missing from {POSTGRES_BIN}: `make postgres` installs them"
    )
    folder = Path(tempfile.mkdtemp(prefix="postgres-"))  # not under pytest's root-only folders: the server runs as postgres
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = folder / "data"
    subprocess.run(
        _as_postgres([str(POSTGRES_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "app"]),
        check=True,
        capture_output=True,
        timeout=120,
    )
    start = [
        str(POSTGRES_BIN / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200",
        "-l",
        str(folder / "log"),
        "-w",
        "start",
    ]
    subprocess.run(_as_postgres(start), check=True, capture_output=True, timeout=120)
    try:
        yield f"postgresql://app@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres([str(POSTGRES_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
            check=False,
            capture_output=True,
            timeout=120,
        )
        shutil.rmtree(folder, ignore_errors=True)
