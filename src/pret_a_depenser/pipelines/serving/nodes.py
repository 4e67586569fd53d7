"""Nodes of the serving pipeline."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pandas as pd
from catboost import CatBoostClassifier


def _short_hash(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()[:12]


def serving_bundle(
    final_model: CatBoostClassifier,
    model_input_train: pd.DataFrame,
    holdout_split: pd.DataFrame,
    kept_features: list[str],
    categorical_features: list[str],
    decision_threshold: dict[str, Any],
    final_metrics: dict[str, Any],
    shap_global_importance: pd.DataFrame,
) -> dict[str, Any]:
    """Everything serving needs: model, ordered features and dtypes, threshold, metrics and versions.

    ``feature_version`` hashes the ordered features and their kinds; ``data_version`` the training
    applicants and their targets, so a change of either gives a new label.
    """
    features = [{"name": name, "dtype": "string" if name in categorical_features else "float"} for name in kept_features]
    training = holdout_split[holdout_split["SET"] == "train"][["SK_ID_CURR", "TARGET"]]
    serving = {"features": features, "categorical_features": list(categorical_features), "threshold": float(decision_threshold["threshold"])}
    metadata = {
        "feature_version": _short_hash(json.dumps(features).encode()),
        "data_version": _short_hash(pd.util.hash_pandas_object(training, index=False).to_numpy().tobytes()),
        "n_training_applicants": len(training),
        "holdout_metrics": {key: value for key, value in final_metrics.items() if isinstance(value, (int, float))},
        "top_features": shap_global_importance["feature"].head(10).tolist(),
    }
    return {"model": final_model, "serving": serving, "metadata": metadata}
