"""Nodes of the tuning pipeline.

The study's storage is a parameter: in memory by default, or an RDB URL (``sqlite:///optuna.db``,
``postgresql://...``) so that several ``kedro run --pipelines tuning`` processes, on one machine or
many, add trials to one shared study.
"""

from __future__ import annotations

import os
import random
import time
from typing import Any

import numpy as np
import optuna
import pandas as pd
import sqlalchemy

from pret_a_depenser.business_cost import optimal_threshold, threshold_grid
from pret_a_depenser.modelling.cross_validation import features_target_folds, out_of_fold_predictions
from pret_a_depenser.modelling.estimators import model_factory
from pret_a_depenser.modelling.evaluation import evaluate_predictions
from pret_a_depenser.tracking import MlflowMetrics, mlflow_metrics


def suggest_hyperparameters(trial: optuna.Trial, search_space: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One draw from the search space declared in parameters_tuning.yml."""
    suggested = {}
    for name, spec in search_space.items():
        if spec["type"] == "int":
            suggested[name] = trial.suggest_int(name, spec["low"], spec["high"], step=spec.get("step", 1))
        elif spec["type"] == "float":
            suggested[name] = trial.suggest_float(name, spec["low"], spec["high"], log=spec.get("log", False))
        else:
            suggested[name] = trial.suggest_categorical(name, list(spec["choices"]))
    return suggested


def _shared_study(parameters: dict[str, Any], seed: int, attempts: int = 5) -> optuna.Study:
    """Create the study, or join it when another process already has.

    Processes started together race to create the storage's tables; the loser retries shortly. With a
    shared storage each process seeds its sampler with ``seed + pid``, so workers explore different
    points (a shared study is reproducible as a whole, not trial by trial).
    """
    sampler_seed = seed + os.getpid() if parameters.get("storage") else seed
    for attempt in range(attempts):
        try:
            return optuna.create_study(
                study_name=parameters["study_name"],
                storage=parameters.get("storage"),
                direction="minimize",
                sampler=optuna.samplers.TPESampler(seed=sampler_seed),
                pruner=optuna.pruners.MedianPruner(n_startup_trials=parameters["pruner_startup_trials"], n_warmup_steps=1),
                load_if_exists=True,
            )
        except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.IntegrityError, optuna.exceptions.DuplicatedStudyError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.5 + random.random())
    raise AssertionError("unreachable")


def _partial_cost(y: np.ndarray, proba: np.ndarray, business: dict[str, Any]) -> float:
    """Business cost per applicant over the folds scored so far (pruning compares trials on it)."""
    scored = ~np.isnan(proba)
    _, cost = optimal_threshold(
        y[scored], proba[scored], threshold_grid(business["threshold_step"]), business["fn_cost"], business["fp_cost"]
    )
    return cost / scored.sum()


def tune_catboost(
    selected_training_set: pd.DataFrame, parameters: dict[str, Any], business: dict[str, Any], seed: int
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Best CatBoost hyperparameters (fixed ones included) and one row per trial of the study."""
    features, y, folds = features_target_folds(selected_training_set)
    study = _shared_study(parameters, seed)

    def objective(trial: optuna.Trial) -> float:
        hyperparameters = {**parameters["fixed"], **suggest_hyperparameters(trial, parameters["search_space"])}

        def report(fold: int, proba: np.ndarray) -> None:
            trial.report(_partial_cost(y, proba, business), fold)
            if trial.should_prune():
                raise optuna.TrialPruned()

        proba, fit_seconds, _ = out_of_fold_predictions(
            model_factory("catboost", hyperparameters, seed), features, y, folds, after_fold=report
        )
        evaluation = evaluate_predictions(y, proba, business, business["threshold_step"])
        trial.set_user_attr("roc_auc", evaluation["roc_auc"])
        trial.set_user_attr("best_threshold", evaluation["best_threshold"])
        trial.set_user_attr("fit_seconds", fit_seconds)
        return evaluation["business_cost_per_applicant"]

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study.optimize(
        objective, n_trials=parameters["n_trials"], timeout=parameters.get("timeout"), show_progress_bar=parameters["progress"]
    )
    return {**parameters["fixed"], **study.best_params}, trials_table(study)


def trials_table(study: optuna.Study) -> pd.DataFrame:
    """One row per trial: number, state, cost per applicant, ROC AUC and the hyperparameters."""
    rows = []
    for trial in study.trials:
        rows.append(
            {
                "trial": f"trial_{trial.number:03d}",
                "state": trial.state.name,
                # a pruned trial's value is only its last partial (fold) cost: kept apart to avoid misreading
                "business_cost_per_applicant": trial.value if trial.state == optuna.trial.TrialState.COMPLETE else None,
                "last_partial_cost": trial.intermediate_values[max(trial.intermediate_values)]
                if trial.intermediate_values
                else None,
                **trial.user_attrs,
                **{f"param_{key}": value for key, value in trial.params.items()},
            }
        )
    return pd.DataFrame(rows)


def tuning_metrics(tuning_trials: pd.DataFrame) -> MlflowMetrics:
    complete = tuning_trials[tuning_trials["state"] == "COMPLETE"].sort_values("business_cost_per_applicant")
    best = complete.iloc[0]
    return mlflow_metrics(
        {
            "best_business_cost_per_applicant": best["business_cost_per_applicant"],
            "best_roc_auc": best["roc_auc"],
            "trials_complete": len(complete),
            "trials_pruned": (tuning_trials["state"] == "PRUNED").sum(),
        }
    )
