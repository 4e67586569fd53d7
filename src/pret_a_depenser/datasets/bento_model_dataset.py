"""The serving bundle saved in (and loaded from) the local BentoML model store.

One BentoML model, e.g. ``credit_scoring:<version>``, holds the native CatBoost file and
``serving.json`` (ordered features with their dtypes, categories, decision threshold, reason texts);
its metadata and labels carry the holdout metrics, the MLflow run id and the data/feature versions, so
a served prediction can be traced back to the run that produced it. The store is BentoML's
(``BENTOML_HOME``, default ``~/bentoml``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bentoml
import mlflow
from kedro.io import AbstractDataset

from pret_a_depenser.scoring import CreditScorer
from pret_a_depenser.scoring.bundle import read_bundle_directory, write_bundle_directory

MODEL_CARD_FILE = "MODEL_CARD.md"
METADATA_KEYS = ("threshold", "feature_version", "feature_spec_version", "data_version", "n_training_applicants", "holdout_metrics", "top_features")


class BentoModelDataset(AbstractDataset[dict[str, Any], dict[str, Any]]):
    def __init__(
        self, name: str, labels: dict[str, str] | None = None, model_card_artifact: str | None = None, metadata: dict[str, Any] | None = None
    ) -> None:
        self._name = name
        self._labels = dict(labels or {})
        self._model_card_artifact = model_card_artifact
        self.metadata = metadata

    def save(self, data: dict[str, Any]) -> None:
        run = mlflow.active_run()
        spec = {**data["serving"], "mlflow_run_id": run.info.run_id if run else None}
        model_metadata = {key: spec[key] for key in (*METADATA_KEYS, "mlflow_run_id")}
        if data.get("model_card") is not None:
            model_metadata["model_card"] = f"runs:/{run.info.run_id}/{self._model_card_artifact}" if run and self._model_card_artifact else MODEL_CARD_FILE
        labels = {**self._labels, **{key: spec[key] for key in ("feature_version", "feature_spec_version", "data_version")}}
        with bentoml.models.create(self._name, labels=labels, metadata=model_metadata) as model_ref:
            write_bundle_directory(Path(model_ref.path), data["model"], spec)
            if data.get("model_card") is not None:
                (Path(model_ref.path) / MODEL_CARD_FILE).write_text(data["model_card"])

    def load(self) -> dict[str, Any]:
        model_ref = bentoml.models.get(f"{self._name}:latest")
        bundle = read_bundle_directory(Path(model_ref.path), str(model_ref.tag), "bentoml")
        scorer = CreditScorer(bundle)  # what batch scoring and monitoring score with, as the service does
        return {"scorer": scorer, "model": scorer.model, "serving": bundle.spec, "metadata": dict(model_ref.info.metadata), "tag": bundle.tag, "bundle": bundle}

    def _exists(self) -> bool:
        try:
            bentoml.models.get(f"{self._name}:latest")
        except bentoml.exceptions.NotFound:
            return False
        return True

    def _describe(self) -> dict[str, Any]:
        return {"name": self._name, "labels": self._labels}
