"""The inference artefact of the registered MLflow model version holding an alias (e.g. the champion),
read-only: ``None`` while no version holds it."""

from __future__ import annotations

from typing import Any

import mlflow
from kedro.io import AbstractDataset, DatasetError

from pret_a_depenser.scoring import CreditScoringModel
from pret_a_depenser.scoring.bundle import load_scoring_model


class RegisteredScoringModelDataset(AbstractDataset[None, CreditScoringModel | None]):
    def __init__(self, name: str, alias: str, metadata: dict[str, Any] | None = None) -> None:
        self._name = name
        self._alias = alias
        self.metadata = metadata

    def load(self) -> CreditScoringModel | None:
        client = mlflow.MlflowClient()
        try:
            client.get_model_version_by_alias(self._name, self._alias)
        except mlflow.exceptions.MlflowException:
            return None  # no such registered model yet, or no version holds the alias
        return load_scoring_model({"source": "mlflow", "mlflow_model_uri": f"models:/{self._name}@{self._alias}"})

    def save(self, data: None) -> None:
        raise DatasetError(f"models:/{self._name}@{self._alias} is moved by the promotion gate (final_model_mlflow), not saved")

    def _describe(self) -> dict[str, Any]:
        return {"name": self._name, "alias": self._alias}
