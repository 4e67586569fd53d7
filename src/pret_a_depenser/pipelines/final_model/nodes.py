"""Nodes of the final_model pipeline."""

from __future__ import annotations

from typing import Any

import matplotlib
import numpy as np
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from catboost import CatBoostClassifier
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, roc_auc_score

from pret_a_depenser.business_cost import business_cost, confusion_counts, optimal_threshold, threshold_grid
from pret_a_depenser.modelling.cross_validation import features_target_folds
from pret_a_depenser.modelling.estimators import catboost_classifier, catboost_frame
from pret_a_depenser.scoring import CreditScoringModel
from pret_a_depenser.scoring.calibration import expected_calibration_error
from pret_a_depenser.tracking import MlflowMetrics, mlflow_metrics


def train_final_model(
    selected_training_set: pd.DataFrame, categorical_features: list[str], tuned_params: dict[str, Any], seed: int
) -> CatBoostClassifier:
    """CatBoost with the tuned hyperparameters on all non-holdout applicants, kept features only, laid
    out as the inference artefact feeds them (numbers, then labels)."""
    features, y, _ = features_target_folds(selected_training_set)
    return catboost_classifier(categorical_features, tuned_params, seed).fit(catboost_frame(features, categorical_features), y)


def evaluate_on_holdout(
    credit_scoring_model: CreditScoringModel,
    holdout_set: pd.DataFrame,
    business: dict[str, Any],
    generator_truth: pd.DataFrame,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Holdout ROC AUC, business cost at the model's threshold and confusion matrix, once, scored by the
    inference artefact the service answers with.

    With generated data, ``generator_truth`` gives each applicant's true PD: the oracle's AUC and its
    business cost at its own best threshold on the same holdout are the ceiling to compare with.
    """
    y = holdout_set["TARGET"].to_numpy().astype(int)
    decisions = credit_scoring_model.decide(credit_scoring_model.inputs_from_frame(holdout_set))
    score, proba = decisions.scores, decisions.probabilities
    cost = business_cost(y, decisions.refused, business["fn_cost"], business["fp_cost"])
    metrics: dict[str, Any] = {
        "roc_auc": float(roc_auc_score(y, proba)),
        "business_cost": cost,
        "business_cost_per_applicant": cost / len(y),
        "threshold": decisions.threshold,
        "n_holdout": len(y),
        "default_rate": float(y.mean()),
        "refusal_rate": decisions.refusal_rate,
        **confusion_counts(y, decisions.refused),
        "brier_score": float(brier_score_loss(y, proba)),
        "brier_score_uncalibrated": float(brier_score_loss(y, score)),
        "expected_calibration_error": expected_calibration_error(y, proba),
        "expected_calibration_error_uncalibrated": expected_calibration_error(y, score),
    }
    if not generator_truth.empty:
        true_pd = generator_truth.set_index("SK_ID_CURR").loc[holdout_set["SK_ID_CURR"], "TRUE_PD"].to_numpy()
        grid = threshold_grid(business["threshold_step"])
        oracle_threshold, oracle_cost = optimal_threshold(y, true_pd, grid, business["fn_cost"], business["fp_cost"])
        metrics.update(
            {
                "oracle_roc_auc": float(roc_auc_score(y, true_pd)),
                "oracle_business_cost": oracle_cost,
                "oracle_business_cost_per_applicant": oracle_cost / len(y),
                "oracle_threshold": oracle_threshold,
            }
        )
        metrics["roc_auc_vs_oracle"] = metrics["roc_auc"] / metrics["oracle_roc_auc"]
        metrics["business_cost_vs_oracle"] = cost / oracle_cost if oracle_cost else np.nan
    predictions = pd.DataFrame({"SK_ID_CURR": holdout_set["SK_ID_CURR"].to_numpy(), "TARGET": y, "PD": proba, "SCORE": score})
    return metrics, predictions


def reliability_diagram(holdout_predictions: pd.DataFrame, bins: int) -> plt.Figure:
    """Observed default rate against the mean PD in quantile bins of the holdout, before and after calibration."""
    y = holdout_predictions["TARGET"].to_numpy()
    figure, axis = plt.subplots(figsize=(5, 5))
    for column, label in (("SCORE", "before calibration"), ("PD", "calibrated PD")):
        observed, predicted = calibration_curve(y, holdout_predictions[column].to_numpy(), n_bins=bins, strategy="quantile")
        ece = expected_calibration_error(y, holdout_predictions[column].to_numpy(), bins)
        axis.plot(predicted, observed, marker="o", label=f"{label} (ECE {ece:.3f})")
    axis.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect calibration")
    axis.set(xlabel="mean predicted probability", ylabel="observed default rate", title="Reliability on the holdout")
    axis.legend()
    figure.tight_layout()
    return figure


def protected_attribute_effect(
    credit_scoring_model: CreditScoringModel,
    final_metrics: dict[str, Any],
    training_set: pd.DataFrame,
    holdout_set: pd.DataFrame,
    tuned_params: dict[str, Any],
    protected_attributes: list[str],
    business: dict[str, Any],
    seed: int,
) -> dict[str, Any]:
    """Holdout AUC and business cost of the served model (without the protected attributes) and of the
    same model refitted with them added, through the same calibration and threshold: what leaving them
    out costs."""
    present = [name for name in protected_attributes if name in training_set.columns]
    effect: dict[str, Any] = {
        "protected_attributes": present,
        "without": {"roc_auc": final_metrics["roc_auc"], "business_cost": final_metrics["business_cost"]},
    }
    if not present:
        return effect
    numeric = list(credit_scoring_model.numeric_features)
    labels = [
        *credit_scoring_model.categorical_features,
        *[name for name in present if not pd.api.types.is_numeric_dtype(training_set[name])],
    ]
    columns = [*numeric, *[name for name in present if name not in labels], *labels]
    model = catboost_classifier(labels, tuned_params, seed)
    model.fit(catboost_frame(training_set[columns], labels), training_set["TARGET"].to_numpy().astype(int))
    y_holdout = holdout_set["TARGET"].to_numpy().astype(int)
    decisions = credit_scoring_model.rule.decide(model.predict_proba(catboost_frame(holdout_set[columns], labels))[:, 1])
    effect["with"] = {
        "roc_auc": float(roc_auc_score(y_holdout, decisions.probabilities)),
        "business_cost": business_cost(y_holdout, decisions.refused, business["fn_cost"], business["fp_cost"]),
    }
    return effect


def final_mlflow_metrics(final_metrics: dict[str, Any]) -> MlflowMetrics:
    return mlflow_metrics(final_metrics, "holdout_")
