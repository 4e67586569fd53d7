"""kedro-mlflow's model tracking dataset, with a signature, input example and metadata from the data.

``log_model`` needs the input example at save time, which YAML cannot hold: the node returns
``{"model": ..., "input_example": DataFrame, "metadata": {...}}`` and this dataset passes them to
the flavor (the metadata lands in the MLmodel file).
"""

from __future__ import annotations

from typing import Any

from kedro_mlflow.io.models import MlflowModelTrackingDataset
from mlflow.models import infer_signature


class MlflowModelWithExampleDataset(MlflowModelTrackingDataset):
    def _save(self, data: dict[str, Any]) -> None:
        model, example = data["model"], data["input_example"]
        self._save_args = {
            **self._save_args,
            "input_example": example,
            "signature": infer_signature(example, model.predict_proba(example)[:, 1]),
            "metadata": data.get("metadata"),
        }
        super()._save(model)
