"""kedro-mlflow's model tracking dataset, with a signature and input example taken from the data.

``log_model`` needs the input example at save time, which YAML cannot hold: the node returns
``{"model": ..., "input_example": DataFrame}`` and this dataset passes both to the flavor.
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
        }
        super()._save(model)
