"""Nodes of the feature_selection pipeline."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pret_a_depenser.modelling.cross_validation import (
    SPLIT_COLUMNS,
    features_target_folds,
    out_of_fold_predictions,
    training_sample,
)
from pret_a_depenser.modelling.estimators import build_model, label_columns, model_factory
from pret_a_depenser.modelling.evaluation import evaluate_predictions
from pret_a_depenser.scoring import model_feature_order
from pret_a_depenser.tracking import MlflowMetrics, mlflow_metrics


def protected_features(columns: list[str], protected_attributes: list[str]) -> list[str]:
    """The columns that are a protected attribute or derived from one (their name contains it)."""
    return [name for name in columns if any(attribute in name for attribute in protected_attributes)]


def rank_features(
    training_set: pd.DataFrame, parameters: dict[str, Any], protected_attributes: list[str], seed: int
) -> pd.DataFrame:
    """Total gain of each feature in a LightGBM fitted on a sample of the training applicants (never the
    holdout: ``ranking_sample`` of them); protected attributes and their derived features are not
    candidates, so they are not ranked.

    Labels are LightGBM categorical features: split by level sets, as the final CatBoost uses them. As
    ordinal codes (alphabetical order), a label whose levels' risks do not follow the alphabet needs
    many small splits and ranks far below its worth (OCCUPATION_TYPE ranked ~200th of ~1,800)."""
    features, y, _ = features_target_folds(training_sample(training_set, parameters["ranking_sample"], seed))
    features = features.drop(columns=protected_features(list(features.columns), protected_attributes))
    model = build_model("lightgbm", parameters["ranker"], features, y, seed)
    model.set_params(prepare__labels__encoded_missing_value=np.nan)  # a missing label: LightGBM's missing category
    labels = label_columns(features)
    numeric = [name for name in features.columns if name not in labels]
    names = numeric + labels  # the ordinal encoder's output order
    model.fit(features, y, model__categorical_feature=list(range(len(numeric), len(names))))
    booster = model.named_steps["model"].booster_
    gains = booster.feature_importance(importance_type="gain")
    importance = pd.DataFrame({"feature": names, "importance": gains})
    return importance.sort_values(["importance", "feature"], ascending=[False, True]).reset_index(drop=True)


def select_features(
    feature_importance: pd.DataFrame, training_set: pd.DataFrame, parameters: dict[str, Any], seed: int
) -> tuple[list[str], list[str]]:
    """The most important features, skipping any whose |correlation| with an already kept one exceeds
    ``max_correlation``, until ``n_features`` are kept; and which of them are labels (categorical)."""
    features, _, _ = features_target_folds(training_set)
    candidates = feature_importance.loc[feature_importance["importance"] > 0, "feature"].head(parameters["n_candidates"]).tolist()
    categorical = set(label_columns(features[candidates]))
    numeric = [name for name in candidates if name not in categorical]
    sample = features[numeric].sample(n=min(len(features), parameters["correlation_sample"]), random_state=seed)
    values = sample.astype("float64")
    correlation = np.abs(np.nan_to_num(np.corrcoef(values.fillna(values.median()).to_numpy(), rowvar=False)))
    index = {name: position for position, name in enumerate(numeric)}
    kept: list[str] = []
    for name in candidates:
        if len(kept) == parameters["n_features"]:
            break
        if name not in categorical:
            kept_numeric = [index[other] for other in kept if other in index]
            if kept_numeric and correlation[index[name], kept_numeric].max() > parameters["max_correlation"]:
                continue
        kept.append(name)
    return kept, [name for name in kept if name in categorical]


def selected_training_set(training_set: pd.DataFrame, kept_features: list[str], categorical_features: list[str]) -> pd.DataFrame:
    """The training set on the kept features, laid out as the model reads them (numbers, then labels)."""
    return training_set[[*SPLIT_COLUMNS, *model_feature_order(kept_features, categorical_features)]]


def compare_feature_sets(
    training_set: pd.DataFrame,
    kept_features: list[str],
    parameters: dict[str, Any],
    business: dict[str, Any],
    seed: int,
) -> MlflowMetrics:
    """Cross-validated AUC and business cost of the same LightGBM on every column and on the kept ones, on
    ``comparison_sample`` training applicants (a diagnostic: the two sets are compared on the same rows)."""
    features, y, folds = features_target_folds(training_sample(training_set, parameters["comparison_sample"], seed))
    metrics = {}
    make_model = model_factory("lightgbm", parameters["ranker"], seed)
    for label, columns in (("all_features", list(features.columns)), ("selected_features", kept_features)):
        proba = out_of_fold_predictions(make_model, features[columns], y, folds).proba
        evaluation = evaluate_predictions(y, proba, business, business["threshold_step"])
        figures = {key: evaluation[key] for key in ("roc_auc", "business_cost", "business_cost_per_applicant")}
        metrics.update(mlflow_metrics({**figures, "count": len(columns)}, f"{label}_"))
    return metrics
