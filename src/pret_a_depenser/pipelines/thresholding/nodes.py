"""Nodes of the thresholding pipeline."""

from __future__ import annotations

import logging
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

from pret_a_depenser.business_cost import confusion_counts, cost_curve, optimal_threshold, threshold_grid
from pret_a_depenser.modelling.cross_validation import features_target_folds, out_of_fold_predictions, stratified_folds
from pret_a_depenser.modelling.estimators import model_factory
from pret_a_depenser.scoring.calibration import fit_calibration
from pret_a_depenser.scoring.decision import DecisionRule
from pret_a_depenser.tracking import MlflowMetrics, mlflow_metrics

logger = logging.getLogger(__name__)


def tuned_out_of_fold_predictions(
    selected_training_set: pd.DataFrame, tuned_params: dict[str, Any], parameters: dict[str, Any], seed: int
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``SK_ID_CURR``, ``TARGET``, ``FOLD``, ``PD``: the tuned CatBoost's out-of-fold probabilities of
    every training applicant, on the split's folds, or on ``oof_folds`` seeded stratified folds when set
    (fewer, cheaper fits at Kaggle size: each model then trains on a smaller share of the applicants).

    Each fold's model stops growing trees by early stopping on its scored fold, so the number of trees
    follows the size of the data (the search ran on a sample). The final model's hyperparameters are
    the tuned ones with the folds' mean number of trees scaled by the data it trains on: all the
    applicants, where a fold's model had all but its fold (x 1.5 with 3 folds, x 1.25 with 5)."""
    features, y, folds = features_target_folds(selected_training_set)
    if parameters.get("oof_folds"):
        folds = stratified_folds(y, parameters["oof_folds"], seed)
    proba, _, _, trees = out_of_fold_predictions(
        model_factory("catboost", tuned_params, seed),
        features,
        y,
        folds,
        early_stopping_rounds=parameters["early_stopping_rounds"],
    )
    fitted_on = [int((folds != fold).sum()) for fold in np.unique(folds)]
    final_trees = max(1, round(float(np.mean(trees)) * len(y) / float(np.mean(fitted_on))))
    logger.info("out-of-fold early stopping kept %s trees; the final model, on all applicants, grows %d", trees, final_trees)
    oof = pd.DataFrame({"SK_ID_CURR": selected_training_set["SK_ID_CURR"].to_numpy(), "TARGET": y, "FOLD": folds, "PD": proba})
    return oof, {**tuned_params, "iterations": final_trees}


def calibrate_out_of_fold(oof_predictions: pd.DataFrame, parameters: dict[str, Any]) -> tuple[dict[str, Any], pd.DataFrame]:
    """The calibration map fitted on the out-of-fold scores (``parameters["calibration"]``: isotonic,
    platt or none), and the out-of-fold predictions with ``PD`` calibrated (``SCORE``: before)."""
    calibration = fit_calibration(
        oof_predictions["PD"].to_numpy(), oof_predictions["TARGET"].to_numpy(), parameters["calibration"]
    )
    calibrated = oof_predictions.rename(columns={"PD": "SCORE"})
    calibrated["PD"] = DecisionRule(None, calibration).probability_of_default(calibrated["SCORE"].to_numpy())
    return calibration, calibrated


def choose_threshold(
    oof_predictions: pd.DataFrame, parameters: dict[str, Any], business: dict[str, Any], seed: int
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The cost curve and the cost-minimising threshold, with a bootstrap percentile interval."""
    y, proba = oof_predictions["TARGET"].to_numpy(), oof_predictions["PD"].to_numpy()
    grid = threshold_grid(business["threshold_step"])
    fn_cost, fp_cost = business["fn_cost"], business["fp_cost"]
    curve = cost_curve(y, proba, grid, fn_cost, fp_cost)
    threshold, cost = optimal_threshold(y, proba, grid, fn_cost, fp_cost)
    rng = np.random.default_rng(seed)
    resampled = []
    for _ in range(parameters["bootstrap_samples"]):
        rows = rng.integers(0, len(y), len(y))
        resampled.append(optimal_threshold(y[rows], proba[rows], grid, fn_cost, fp_cost)[0])
    level = parameters["interval_level"]
    low, high = np.quantile(resampled, [(1 - level) / 2, (1 + level) / 2])
    decision = {
        "threshold": threshold,
        "threshold_interval_low": float(low),
        "threshold_interval_high": float(high),
        "interval_level": level,
        "business_cost": cost,
        "business_cost_per_applicant": cost / len(y),
        "roc_auc": float(roc_auc_score(y, proba)),
        "n_applicants": len(y),
        **confusion_counts(y, DecisionRule(threshold).refuses(proba)),
    }
    return curve, decision


def threshold_metrics(decision_threshold: dict[str, Any]) -> MlflowMetrics:
    keys = (
        "threshold",
        "threshold_interval_low",
        "threshold_interval_high",
        "business_cost",
        "business_cost_per_applicant",
        "roc_auc",
        "tn",
        "fp",
        "fn",
        "tp",
    )
    return mlflow_metrics({key: decision_threshold[key] for key in keys}, "oof_")


def threshold_plots(
    oof_predictions: pd.DataFrame, threshold_cost_curve: pd.DataFrame, decision_threshold: dict[str, Any]
) -> dict[str, plt.Figure]:
    """Cost curve, ROC, precision-recall and calibration of the out-of-fold predictions."""
    y, proba = oof_predictions["TARGET"].to_numpy(), oof_predictions["PD"].to_numpy()
    threshold = decision_threshold["threshold"]
    figures = {}

    figure, axis = plt.subplots(figsize=(6, 4))
    axis.plot(threshold_cost_curve["threshold"], threshold_cost_curve["cost_per_applicant"])
    axis.axvline(threshold, color="tab:red", linestyle="--", label=f"threshold {threshold:.3f}")
    axis.axvspan(
        decision_threshold["threshold_interval_low"],
        decision_threshold["threshold_interval_high"],
        color="tab:red",
        alpha=0.1,
        label="bootstrap interval",
    )
    axis.set(xlabel="threshold (refuse if PD ≥ threshold)", ylabel="cost per applicant (10·FN + FP)", title="Business cost curve")
    axis.legend()
    figures["cost_curve.png"] = figure

    figure, axis = plt.subplots(figsize=(5, 5))
    fpr, tpr, _ = roc_curve(y, proba)
    axis.plot(fpr, tpr, label=f"AUC {roc_auc_score(y, proba):.3f}")
    axis.plot([0, 1], [0, 1], color="grey", linestyle=":")
    axis.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC (out of fold)")
    axis.legend()
    figures["roc.png"] = figure

    figure, axis = plt.subplots(figsize=(5, 5))
    precision, recall, _ = precision_recall_curve(y, proba)
    axis.plot(recall, precision, label=f"AP {average_precision_score(y, proba):.3f}")
    axis.axhline(y.mean(), color="grey", linestyle=":", label="default rate")
    axis.set(xlabel="recall", ylabel="precision", title="Precision-recall (out of fold)")
    axis.legend()
    figures["precision_recall.png"] = figure

    figure, axis = plt.subplots(figsize=(5, 5))
    for column, label in (("SCORE", "model score"), ("PD", "calibrated PD")):
        if column in oof_predictions:
            observed, predicted = calibration_curve(y, oof_predictions[column].to_numpy(), n_bins=10, strategy="quantile")
            axis.plot(predicted, observed, marker="o", label=label)
    axis.plot([0, 1], [0, 1], color="grey", linestyle=":")
    axis.set(xlabel="mean predicted probability", ylabel="observed default rate", title="Calibration (out of fold)")
    axis.legend()
    figures["calibration.png"] = figure
    for figure in figures.values():
        figure.tight_layout()
    return figures
