"""The serving bundle saved in (and loaded from) the local BentoML model store.

One BentoML model, e.g. ``credit_scoring:<version>``, holds the native CatBoost file and
``serving.json`` (ordered features with their dtypes, categorical features, decision threshold);
its metadata carries the holdout metrics, the MLflow run id and the data/feature versions, so a
served prediction can be traced back to the run that produced it. The store is BentoML's
(``BENTOML_HOME``, default ``~/bentoml``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import bentoml
import mlflow
from catboost import CatBoostClassifier
from kedro.io import AbstractDataset

MODEL_FILE = "model.cbm"
SERVING_FILE = "serving.json"


class BentoModelDataset(AbstractDataset[dict[str, Any], dict[str, Any]]):
    def __init__(self, name: str, labels: dict[str, str] | None = None, metadata: dict[str, Any] | None = None) -> None:
        self._name = name
        self._labels = dict(labels or {})
        self.metadata = metadata

    def save(self, data: dict[str, Any]) -> None:
        run = mlflow.active_run()
        model_metadata = {
            **data["metadata"],
            "threshold": data["serving"]["threshold"],
            "mlflow_run_id": run.info.run_id if run else None,
        }
        labels = {**self._labels, "feature_version": data["metadata"]["feature_version"], "data_version": data["metadata"]["data_version"]}
        with bentoml.models.create(self._name, labels=labels, metadata=model_metadata) as model_ref:
            data["model"].save_model(str(Path(model_ref.path) / MODEL_FILE))
            (Path(model_ref.path) / SERVING_FILE).write_text(json.dumps(data["serving"], indent=2))

    def load(self) -> dict[str, Any]:
        model_ref = bentoml.models.get(f"{self._name}:latest")
        model = CatBoostClassifier()
        model.load_model(str(Path(model_ref.path) / MODEL_FILE))
        serving = json.loads((Path(model_ref.path) / SERVING_FILE).read_text())
        return {"model": model, "serving": serving, "metadata": dict(model_ref.info.metadata), "tag": str(model_ref.tag)}

    def _exists(self) -> bool:
        try:
            bentoml.models.get(f"{self._name}:latest")
        except bentoml.exceptions.NotFound:
            return False
        return True

    def _describe(self) -> dict[str, Any]:
        return {"name": self._name, "labels": self._labels}
