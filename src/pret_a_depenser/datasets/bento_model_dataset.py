"""The inference artefact saved in (and loaded from) the local BentoML model store.

One BentoML model, e.g. ``credit_scoring:<version>``, holds the artefact's folder (``model.cbm`` and
``serving.json``: feature spec, kept features, categories, threshold, reason texts) and its model card;
its metadata and labels carry the holdout metrics, the MLflow run id and the data / feature versions,
so a served decision can be traced back to the run that produced it. The store is BentoML's
(``BENTOML_HOME``, default ``~/bentoml``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bentoml
import mlflow
from kedro.io import AbstractDataset

from pret_a_depenser.scoring import CreditScoringModel, read_model_directory

MODEL_CARD_FILE = "MODEL_CARD.md"
METADATA_KEYS = (
    "threshold",
    "feature_version",
    "feature_spec_version",
    "data_version",
    "n_training_applicants",
    "holdout_metrics",
    "top_features",
    "registry_model",
    "registry_version",
    "registry_aliases",
)
LABEL_KEYS = ("feature_version", "feature_spec_version", "data_version", "registry_version")


class BentoModelDataset(AbstractDataset[dict[str, Any], CreditScoringModel]):
    """Saves ``{"model": CreditScoringModel, "model_card": markdown}``; loads the artefact of ``<name>:latest``."""

    def __init__(
        self,
        name: str,
        labels: dict[str, str] | None = None,
        model_card_artifact: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self._name = name
        self._labels = dict(labels or {})
        self._model_card_artifact = model_card_artifact
        self.metadata = metadata

    def save(self, data: dict[str, Any]) -> None:
        run = mlflow.active_run()
        model: CreditScoringModel = data["model"].with_metadata(mlflow_run_id=run.info.run_id if run else None)
        described = {**model.metadata, "threshold": model.threshold}
        model_metadata = {key: described.get(key) for key in (*METADATA_KEYS, "mlflow_run_id")}
        if data.get("model_card") is not None:
            model_metadata["model_card"] = (
                f"runs:/{run.info.run_id}/{self._model_card_artifact}" if run and self._model_card_artifact else MODEL_CARD_FILE
            )
        labels = {**self._labels, **{key: str(described[key]) for key in LABEL_KEYS if described.get(key) is not None}}
        with bentoml.models.create(self._name, labels=labels, metadata=model_metadata) as model_ref:
            model.save(Path(model_ref.path))
            if data.get("model_card") is not None:
                (Path(model_ref.path) / MODEL_CARD_FILE).write_text(data["model_card"])

    def load(self) -> CreditScoringModel:
        model_ref = bentoml.models.get(f"{self._name}:latest")
        return read_model_directory(Path(model_ref.path), str(model_ref.tag), "bentoml")

    def _exists(self) -> bool:
        try:
            bentoml.models.get(f"{self._name}:latest")
        except bentoml.exceptions.NotFound:
            return False
        return True

    def _describe(self) -> dict[str, Any]:
        return {"name": self._name, "labels": self._labels}
