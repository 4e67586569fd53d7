"""A table saved as CSV and, inside an MLflow run, as an artifact plus one nested MLflow run per row.

Benchmarked models and Optuna trials are compared in the MLflow UI as child runs of the Kedro run;
the node only returns the table, the catalog decides it is tracked.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
from kedro.io import AbstractDataset


class MlflowNestedRunsDataset(AbstractDataset[pd.DataFrame, pd.DataFrame]):
    def __init__(
        self,
        filepath: str,
        name_column: str,
        param_columns: list[str] | None = None,
        tags: dict[str, str] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self._filepath = Path(filepath)
        self._name_column = name_column
        self._param_columns = list(param_columns or [])
        self._tags = dict(tags or {})
        self.metadata = metadata

    def load(self) -> pd.DataFrame:
        return pd.read_csv(self._filepath)

    def save(self, data: pd.DataFrame) -> None:
        self._filepath.parent.mkdir(parents=True, exist_ok=True)
        data.to_csv(self._filepath, index=False)
        if mlflow.active_run() is None:
            return
        mlflow.log_artifact(str(self._filepath))  # the whole table, on the parent run
        for row in data.to_dict(orient="records"):
            name = str(row[self._name_column])
            metrics = {
                key: float(value)
                for key, value in row.items()
                if key not in self._param_columns
                and key != self._name_column
                and isinstance(value, (int, float))
                and not isinstance(value, bool)
                and math.isfinite(value)
            }
            params = {key: row[key] for key in self._param_columns if key in row}
            with mlflow.start_run(run_name=name, nested=True):
                mlflow.set_tags({**self._tags, self._name_column: name})
                mlflow.log_params(params)
                mlflow.log_metrics(metrics)

    def _exists(self) -> bool:
        return self._filepath.exists()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._filepath), "name_column": self._name_column, "param_columns": self._param_columns}
