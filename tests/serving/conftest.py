"""The service module loaded against the small project's BentoML store, with settings per test."""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from unittest import mock

import pandas as pd
import pytest
from starlette.testclient import TestClient

PROJECT_ROOT = Path(__file__).resolve().parents[2]
_module_numbers = itertools.count()


def use_bentoml_home(home: Path) -> None:
    """Point this process's BentoML at ``home`` (its model store is created once per process)."""
    from bentoml._internal.configuration.containers import BentoMLContainer
    from bentoml._internal.models import ModelStore

    os.environ["BENTOML_HOME"] = str(home)
    BentoMLContainer.bentoml_home.set(str(home))
    BentoMLContainer.model_store.set(ModelStore(str(home / "models")))


def import_service(bentoml_home: Path, **environment: str) -> ModuleType:
    """A fresh import of ``service.py`` under the given environment (settings are read at import); its
    decision audit log goes to a folder of its own unless the environment names one."""
    use_bentoml_home(bentoml_home)
    environment.setdefault("CREDIT_SCORING_AUDIT_LOG", str(Path(tempfile.mkdtemp(prefix="audit-")) / "decisions.sqlite"))
    name = f"credit_scoring_service_{next(_module_numbers)}"
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / "service.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    with mock.patch.dict(os.environ, environment):
        spec.loader.exec_module(module)
    return module


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
def service_module(bentoml_home) -> ModuleType:
    return import_service(bentoml_home)


@pytest.fixture(scope="session")
def client(service_module) -> Iterator[TestClient]:
    """In-process HTTP client of the service with default settings (no port)."""
    with TestClient(service_app(service_module), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def holdout_applicants(finished_project) -> pd.DataFrame:
    """The small project's holdout applicants: SK_ID_CURR, the kept features, and the pipeline's PD."""
    kept = json.loads((finished_project / "data/05_model_input/kept_features.json").read_text())
    features = pd.read_parquet(finished_project / "data/05_model_input/model_input_train.parquet", columns=["SK_ID_CURR", *kept])
    predictions = pd.read_parquet(finished_project / "data/08_reporting/holdout_predictions.parquet")
    return predictions.merge(features, on="SK_ID_CURR", how="left", validate="one_to_one")


def applicant_json(row: pd.Series, features: list[str]) -> dict:
    """A row as a client sends it: missing values as null, numbers as JSON numbers."""
    values = {}
    for name in features:
        value = row[name]
        values[name] = None if pd.isna(value) else value.item() if hasattr(value, "item") else value
    return values
