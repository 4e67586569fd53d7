"""Nodes of the final_model pipeline."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from catboost import CatBoostClassifier
from sklearn.metrics import roc_auc_score

from pret_a_depenser.business_cost import business_cost, confusion_counts, optimal_threshold, threshold_grid
from pret_a_depenser.modelling.cross_validation import holdout_rows, training_rows
from pret_a_depenser.modelling.estimators import catboost_frame
from pret_a_depenser.scoring import CreditScoringModel, model_feature_order


def train_final_model(
    model_input_train: pd.DataFrame,
    holdout_split: pd.DataFrame,
    kept_features: list[str],
    categorical_features: list[str],
    tuned_params: dict[str, Any],
    seed: int,
) -> CatBoostClassifier:
    """CatBoost with the tuned hyperparameters on all non-holdout applicants, kept features only, laid
    out as the inference artefact feeds them (numbers, then labels)."""
    features, y, _ = training_rows(model_input_train, holdout_split)
    model = CatBoostClassifier(
        cat_features=categorical_features, auto_class_weights="Balanced", random_seed=seed, verbose=False,
        allow_writing_files=False, **tuned_params,
    )
    return model.fit(catboost_frame(features[model_feature_order(kept_features, categorical_features)], categorical_features), y)


def evaluate_on_holdout(
    credit_scoring_model: CreditScoringModel,
    model_input_train: pd.DataFrame,
    holdout_split: pd.DataFrame,
    business: dict[str, Any],
    generator_truth: pd.DataFrame,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Holdout ROC AUC, business cost at the model's threshold and confusion matrix, once, scored by the
    inference artefact the service answers with.

    With generated data, ``generator_truth`` gives each applicant's true PD: the oracle's AUC and its
    business cost at its own best threshold on the same holdout are the ceiling to compare with.
    """
    holdout = holdout_rows(model_input_train, holdout_split)
    y = holdout["TARGET"].to_numpy().astype(int)
    proba = credit_scoring_model.probabilities(credit_scoring_model.inputs_from_frame(holdout))
    threshold = credit_scoring_model.threshold
    cost = business_cost(y, proba, threshold, business["fn_cost"], business["fp_cost"])
    metrics: dict[str, Any] = {
        "roc_auc": float(roc_auc_score(y, proba)),
        "business_cost": cost,
        "business_cost_per_applicant": cost / len(y),
        "threshold": threshold,
        "n_holdout": len(y),
        "default_rate": float(y.mean()),
        "refusal_rate": float((proba >= threshold).mean()),
        **confusion_counts(y, proba, threshold),
    }
    if not generator_truth.empty:
        true_pd = generator_truth.set_index("SK_ID_CURR").loc[holdout["SK_ID_CURR"], "TRUE_PD"].to_numpy()
        grid = threshold_grid(float(business["threshold_step"]))
        oracle_threshold, oracle_cost = optimal_threshold(y, true_pd, grid, business["fn_cost"], business["fp_cost"])
        metrics.update({
            "oracle_roc_auc": float(roc_auc_score(y, true_pd)),
            "oracle_business_cost": oracle_cost,
            "oracle_business_cost_per_applicant": oracle_cost / len(y),
            "oracle_threshold": oracle_threshold,
        })
        metrics["roc_auc_vs_oracle"] = metrics["roc_auc"] / metrics["oracle_roc_auc"]
        metrics["business_cost_vs_oracle"] = cost / oracle_cost if oracle_cost else np.nan
    predictions = pd.DataFrame({"SK_ID_CURR": holdout["SK_ID_CURR"].to_numpy(), "TARGET": y, "PD": proba})
    return metrics, predictions


def final_mlflow_metrics(final_metrics: dict[str, Any]) -> dict[str, dict[str, float]]:
    return {f"holdout_{key}": {"value": float(value), "step": 0} for key, value in final_metrics.items()}
