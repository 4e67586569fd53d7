"""Tags of the active MLflow run (e.g. an alert flag a reviewer filters runs on); saved only."""

from __future__ import annotations

from typing import Any

import mlflow
from kedro.io import AbstractDataset, DatasetError


class MlflowTagsDataset(AbstractDataset[dict[str, str], None]):
    def __init__(self, metadata: dict[str, Any] | None = None) -> None:
        self.metadata = metadata

    def save(self, data: dict[str, str]) -> None:
        if mlflow.active_run() is not None:
            mlflow.set_tags({key: str(value) for key, value in data.items()})

    def load(self) -> None:
        raise DatasetError("run tags are read in MLflow (the UI, or mlflow.search_runs), not loaded back")

    def _describe(self) -> dict[str, Any]:
        return {}
