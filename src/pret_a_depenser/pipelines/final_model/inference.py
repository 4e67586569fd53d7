"""The inference artefact: the final model with the feature spec, threshold and reason texts it decides with."""

from __future__ import annotations

from typing import Any

import pandas as pd
from catboost import CatBoostClassifier

from pret_a_depenser.scoring import CreditScoringModel
from pret_a_depenser.scoring.model import MISSING_LABEL, label_strings, model_feature_order


def _longest_prefix(name: str, prefixes: dict[str, str]) -> tuple[str, str]:
    matches = [prefix for prefix in prefixes if name.startswith(prefix)]
    if not matches:
        return "", name
    prefix = max(matches, key=len)
    return prefixes[prefix], name[len(prefix) :]


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


def credit_scoring_model(
    final_model: CatBoostClassifier,
    feature_spec: dict[str, Any],
    kept_features: list[str],
    categorical_features: list[str],
    selected_training_set: pd.DataFrame,
    decision_threshold: dict[str, Any],
    parameters: dict[str, Any],
    pd_calibration: dict[str, Any] | None = None,
) -> CreditScoringModel:
    """Everything a decision depends on, in one object; ``categories`` are the labels seen in training
    (an unseen one is scored and flagged); the threshold applies to the calibrated PD."""
    order = model_feature_order(kept_features, categorical_features)
    return CreditScoringModel(
        model=final_model,
        feature_spec=feature_spec,
        numeric_features=[name for name in order if name not in categorical_features],
        categorical_features=[name for name in order if name in categorical_features],
        categories={
            name: sorted(set(label_strings(selected_training_set[name].tolist())) - {MISSING_LABEL})
            for name in categorical_features
        },
        threshold=float(decision_threshold["threshold"]),
        reason_texts={name: reason_text(name, parameters["reason_texts"]) for name in kept_features},
        max_reasons=parameters["max_reasons"],
        metadata={"feature_spec_version": feature_spec["version"]},
        calibration=pd_calibration,
    )
