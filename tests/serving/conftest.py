"""The service against the small project's BentoML store, and requests built from its raw files."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from unittest import mock

import pandas as pd
import polars as pl
import pytest
from starlette.testclient import TestClient

from pret_a_depenser.datasets import RawTableDataset
from pret_a_depenser.scoring.records import REQUEST_TABLES, applicant_records

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def use_bentoml_home(home: Path) -> None:
    """Point this process's BentoML at ``home`` (its model store is created once per process)."""
    from bentoml._internal.configuration.containers import BentoMLContainer
    from bentoml._internal.models import ModelStore

    os.environ["BENTOML_HOME"] = str(home)
    BentoMLContainer.bentoml_home.set(str(home))
    BentoMLContainer.model_store.set(ModelStore(str(home / "models")))


def service_app(module: ModuleType):
    """The service's ASGI app. BentoML registers its request metrics per app, once per process: those of
    an earlier app built in this test process are dropped first."""
    import prometheus_client

    registry = prometheus_client.REGISTRY
    for collector, names in list(registry._collector_to_names.items()):
        if any(name.startswith("bentoml_") for name in names):
            registry.unregister(collector)
    return module.CreditScoring.to_asgi()


@pytest.fixture(scope="session")
def bentoml_home(finished_project) -> Path:
    return finished_project / "bentoml"


@pytest.fixture(scope="session")
def audit_log_path() -> Path:
    return Path(tempfile.mkdtemp(prefix="audit-")) / "decisions.sqlite"


@pytest.fixture(scope="session")
def service_module(bentoml_home, audit_log_path) -> ModuleType:
    """``service.py`` imported once with default settings, as ``bentoml serve`` imports it (no model I/O:
    the model is loaded when the service starts)."""
    use_bentoml_home(bentoml_home)
    spec = importlib.util.spec_from_file_location("service", PROJECT_ROOT / "service.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["service"] = module
    with mock.patch.dict(os.environ, {"CREDIT_SCORING_AUDIT_LOG": str(audit_log_path)}):
        spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def client(service_module) -> Iterator[TestClient]:
    """In-process HTTP client of the service with default settings (no port)."""
    with TestClient(service_app(service_module), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def raw_tables(finished_project) -> dict[str, pl.DataFrame]:
    """The small project's raw files as the catalog reads them, by request table (``application``:
    the training applicants; ``application_test``: the test applicants)."""
    raw = finished_project / "data" / "01_raw"
    tables = {
        name: RawTableDataset(filepath=str(raw / file_name)).load()
        for name, file_name in REQUEST_TABLES.items()
        if name != "application"
    }
    tables["application"] = RawTableDataset(filepath=str(raw / "application_train.csv")).load()
    tables["application_test"] = RawTableDataset(filepath=str(raw / "application_test.csv")).load()
    return tables


@pytest.fixture(scope="session")
def holdout_applicants(finished_project, raw_tables) -> pd.DataFrame:
    """The small project's holdout applicants: SK_ID_CURR, the pipeline's PD and the request built from
    their rows in ``data/01_raw/*.csv``."""
    predictions = pd.read_parquet(finished_project / "data/08_reporting/holdout_predictions.parquet")
    predictions["request"] = applicant_records(raw_tables, predictions["SK_ID_CURR"].tolist())
    return predictions


@pytest.fixture(scope="session")
def test_applicants(finished_project, raw_tables) -> pd.DataFrame:
    """batch_scoring's test applicants: SK_ID_CURR, its PD and decision, and their request."""
    decisions = pd.read_csv(finished_project / "data/07_model_output/batch_decisions.csv")
    tables = {**raw_tables, "application": raw_tables["application_test"]}
    decisions["request"] = applicant_records(tables, decisions["SK_ID_CURR"].tolist())
    return decisions


@pytest.fixture(scope="session")
def feature_vectors(finished_project, holdout_applicants) -> list[dict]:
    """The holdout applicants' kept features as the feature-vector route takes them (null for missing)."""
    kept = json.loads((finished_project / "data/05_model_input/kept_features.json").read_text())
    features = pd.read_parquet(finished_project / "data/05_model_input/model_input_train.parquet", columns=["SK_ID_CURR", *kept])
    rows = holdout_applicants[["SK_ID_CURR"]].merge(features, on="SK_ID_CURR", how="left", validate="one_to_one")
    return [applicant_json(row, kept) for _, row in rows.iterrows()]


def applicant_json(row: pd.Series, features: list[str]) -> dict:
    """A feature row as a client sends it: missing values as null, numbers as JSON numbers."""
    values = {}
    for name in features:
        value = row[name]
        values[name] = None if pd.isna(value) else value.item() if hasattr(value, "item") else value
    return values
