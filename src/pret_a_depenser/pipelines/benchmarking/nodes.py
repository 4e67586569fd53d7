"""Nodes of the benchmarking pipeline."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from pret_a_depenser.modelling.cross_validation import features_target_folds, out_of_fold_predictions, training_sample
from pret_a_depenser.modelling.estimators import IMBALANCE_HANDLING, model_factory
from pret_a_depenser.modelling.evaluation import evaluate_predictions
from pret_a_depenser.tracking import MlflowMetrics, mlflow_metrics


def benchmark_models(training_set: pd.DataFrame, parameters: dict[str, Any], business: dict[str, Any], seed: int) -> pd.DataFrame:
    """One row per model: cross-validated metrics on the same folds, fit and predict time.

    Runs on a seeded ``sample_size`` subset of the training applicants so the six models (random forest
    and MLP on ~1,800 columns included) fit in the default run's time budget.
    """
    features, y, folds = features_target_folds(training_sample(training_set, parameters["sample_size"], seed))
    results = []
    for name, hyperparameters in parameters["models"].items():
        make_model = model_factory(name, hyperparameters, seed)
        proba, fit_seconds, predict_seconds, _ = out_of_fold_predictions(make_model, features, y, folds)
        results.append(
            {
                "model": name,
                **evaluate_predictions(y, proba, business, business["threshold_step"]),
                "fit_seconds": fit_seconds,
                "predict_seconds": predict_seconds,
                "n_applicants": len(y),
                "n_features": features.shape[1],
                "imbalance_handling": IMBALANCE_HANDLING[name],
            }
        )
    return pd.DataFrame(results).sort_values("business_cost").reset_index(drop=True)


def benchmark_chart(benchmark_results: pd.DataFrame) -> plt.Figure:
    """Business cost per applicant (own best threshold vs 0.5) and ROC AUC, side by side per model."""
    figure, (cost_axis, auc_axis) = plt.subplots(1, 2, figsize=(12, 4.5))
    positions = np.arange(len(benchmark_results))
    cost_axis.barh(positions - 0.2, benchmark_results["business_cost_per_applicant"], height=0.4, label="best threshold")
    cost_axis.barh(positions + 0.2, benchmark_results["business_cost_at_0_5_per_applicant"], height=0.4, label="threshold 0.5")
    cost_axis.set(yticks=positions, yticklabels=benchmark_results["model"], xlabel="business cost per applicant (10·FN + FP)")
    cost_axis.invert_yaxis()
    cost_axis.legend()
    auc_axis.barh(positions, benchmark_results["roc_auc"], color="tab:green")
    auc_axis.set(yticks=positions, yticklabels=benchmark_results["model"], xlabel="ROC AUC (out of fold)", xlim=(0.5, 1.0))
    auc_axis.invert_yaxis()
    figure.suptitle("Model benchmark: same folds, cross-validated")
    figure.tight_layout()
    return figure


def best_benchmark_metrics(benchmark_results: pd.DataFrame) -> MlflowMetrics:
    """Headline metrics for the parent MLflow run (logged as ``benchmark_metrics.<model>_roc_auc`` ...)."""
    metrics = {}
    for row in benchmark_results.to_dict(orient="records"):
        metrics.update(
            mlflow_metrics(
                {"roc_auc": row["roc_auc"], "business_cost_per_applicant": row["business_cost_per_applicant"]}, f"{row['model']}_"
            )
        )
    return metrics
