"""Nodes of the serving pipeline: what the service needs, saved to BentoML and logged to MLflow."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pandas as pd
from catboost import CatBoostClassifier

from pret_a_depenser.modelling.cross_validation import training_rows
from pret_a_depenser.modelling.estimators import MISSING_LABEL, catboost_frame


def _short_hash(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()[:12]


def _longest_prefix(name: str, prefixes: dict[str, str]) -> tuple[str, str]:
    matches = [prefix for prefix in prefixes if name.startswith(prefix)]
    if not matches:
        return "", name
    prefix = max(matches, key=len)
    return prefixes[prefix], name[len(prefix):]


def reason_text(feature: str, texts: dict[str, dict[str, str]]) -> str:
    """Plain words for a feature name, e.g. ``BUREAU_ACTIVE_DAYS_CREDIT_MEAN`` ->
    "average age of the credit, active credits reported by other institutions (credit bureau)"."""
    if feature in texts["measures"]:
        return texts["measures"][feature]
    source, rest = _longest_prefix(feature, texts["sources"])
    subset = ""
    if source:
        subset, rest = _longest_prefix(rest, texts["subsets"])
    statistic = next((words for suffix, words in texts["statistics"].items() if rest.endswith(suffix) and rest != suffix), "")
    if statistic:
        rest = rest[: rest.rfind("_")]
    measure = texts["measures"].get(rest, rest.lower().replace("_", " "))
    words = " ".join(part for part in (statistic, measure) if part)
    where = " ".join(part for part in (subset, source) if part)
    return f"{words}, {where}" if where else words


def serving_spec(
    model_input_train: pd.DataFrame,
    holdout_split: pd.DataFrame,
    kept_features: list[str],
    categorical_features: list[str],
    decision_threshold: dict[str, Any],
    final_metrics: dict[str, Any],
    shap_global_importance: pd.DataFrame,
    feature_spec: dict[str, Any],
    parameters: dict[str, Any],
) -> dict[str, Any]:
    """Everything the service needs besides the model file, as plain JSON.

    ``categories`` are the labels seen in training (an unseen one is flagged when scored);
    ``feature_version`` hashes the ordered features and their kinds, ``data_version`` the training
    applicants and their targets, so a change of either gives a new label; ``feature_spec_version`` is
    the version of the fitted feature spec that built them (``04_feature/feature_spec.json``).
    """
    features = [{"name": name, "dtype": "string" if name in categorical_features else "float"} for name in kept_features]
    training_features, _, _ = training_rows(model_input_train, holdout_split)
    labels = catboost_frame(training_features[categorical_features], categorical_features)
    training = holdout_split[holdout_split["SET"] == "train"][["SK_ID_CURR", "TARGET"]]
    return {
        "features": features,
        "categorical_features": list(categorical_features),
        "categories": {name: sorted(set(labels[name]) - {MISSING_LABEL}) for name in categorical_features},
        "missing_label": MISSING_LABEL,
        "threshold": float(decision_threshold["threshold"]),
        "max_reasons": int(parameters["max_reasons"]),
        "reason_texts": {name: reason_text(name, parameters["reason_texts"]) for name in kept_features},
        "feature_version": _short_hash(json.dumps(features).encode()),
        "feature_spec_version": feature_spec["version"],
        "data_version": _short_hash(pd.util.hash_pandas_object(training, index=False).to_numpy().tobytes()),
        "n_training_applicants": len(training),
        "holdout_metrics": {key: value for key, value in final_metrics.items() if isinstance(value, (int, float))},
        "top_features": shap_global_importance["feature"].head(10).tolist(),
    }


def serving_bundle(final_model: CatBoostClassifier, serving_spec: dict[str, Any], model_card: str) -> dict[str, Any]:
    """The BentoML model's content; it carries its model card (and links to the MLflow copy)."""
    return {"model": final_model, "serving": serving_spec, "model_card": model_card}


def mlflow_model(final_model: CatBoostClassifier, model_input_train: pd.DataFrame, serving_spec: dict[str, Any]) -> dict[str, Any]:
    """The model with a few real rows as input example and the serving spec as MLmodel metadata, so
    the service can also load it from an MLflow model URI or the registry."""
    names = [feature["name"] for feature in serving_spec["features"]]
    example = catboost_frame(model_input_train[names].head(5), serving_spec["categorical_features"])
    return {"model": final_model, "input_example": example, "metadata": {"serving": serving_spec}}
