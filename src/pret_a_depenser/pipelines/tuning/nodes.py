"""Nodes of the tuning pipeline.

The study's storage is a parameter: in memory by default, or an RDB URL (``sqlite:///optuna.db``,
``postgresql://...``) so that several ``kedro run --pipelines tuning`` processes, on one machine or
many, add trials to one shared study.
"""

from __future__ import annotations

import logging
import os
import random
import time
from typing import Any

import numpy as np
import optuna
import pandas as pd
import sqlalchemy

from pret_a_depenser.business_cost import optimal_threshold, threshold_grid
from pret_a_depenser.modelling.cross_validation import features_target_folds, out_of_fold_predictions, training_sample
from pret_a_depenser.modelling.estimators import model_factory
from pret_a_depenser.modelling.evaluation import evaluate_predictions
from pret_a_depenser.tracking import MlflowMetrics, mlflow_metrics

logger = logging.getLogger(__name__)


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
        except (
            sqlalchemy.exc.OperationalError,
            sqlalchemy.exc.IntegrityError,
            sqlalchemy.exc.ProgrammingError,  # PostgreSQL: another process created the schema's table first
            optuna.exceptions.DuplicatedStudyError,
        ):
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
    """Best CatBoost hyperparameters (fixed ones included) and one row per trial of the study.

    A trial fits ``validation_folds`` models on ``sample_size`` training applicants (the final model and
    the threshold read them all). ``timeout`` is the study's budget: Optuna starts no trial after it, and
    a trial running when it passes stops at its next fold (recorded as pruned, ``stopped_by_budget``),
    so the search ends at most one fold past its budget whatever the data size. The first trial always
    completes: a study needs one result.
    """
    features, y, folds = features_target_folds(training_sample(selected_training_set, parameters["sample_size"], seed))
    study = _shared_study(parameters, seed)
    n_folds = min(parameters["validation_folds"], len(np.unique(folds)))
    started = time.monotonic()
    budget = parameters.get("timeout")

    def objective(trial: optuna.Trial) -> float:
        hyperparameters = {**parameters["fixed"], **suggest_hyperparameters(trial, parameters["search_space"])}

        def report(fold: int, proba: np.ndarray) -> None:
            partial_cost = _partial_cost(y, proba, business)
            elapsed = time.monotonic() - started
            logger.info(
                "tuning: trial %d, fold %d/%d, cost per applicant so far %.4f; %.0f s of %s",
                trial.number,
                fold + 1,
                n_folds,
                partial_cost,
                elapsed,
                f"a {budget:.0f} s budget ({max(budget - elapsed, 0):.0f} s left)" if budget else "no budget",
            )
            trial.report(partial_cost, fold)
            complete = any(done.state == optuna.trial.TrialState.COMPLETE for done in study.get_trials(deepcopy=False))
            if budget and elapsed > budget and fold + 1 < n_folds and complete:
                trial.set_user_attr("stopped_by_budget", True)
                study.stop()
                raise optuna.TrialPruned()
            if trial.should_prune():
                raise optuna.TrialPruned()

        proba, fit_seconds, _, trees = out_of_fold_predictions(
            model_factory("catboost", hyperparameters, seed),
            features,
            y,
            folds,
            after_fold=report,
            scored_folds=n_folds,
            early_stopping_rounds=parameters["early_stopping_rounds"],
        )
        scored = ~np.isnan(proba)
        evaluation = evaluate_predictions(y[scored], proba[scored], business, business["threshold_step"])
        trial.set_user_attr("roc_auc", evaluation["roc_auc"])
        trial.set_user_attr("best_threshold", evaluation["best_threshold"])
        trial.set_user_attr("fit_seconds", fit_seconds)
        trial.set_user_attr("trees", float(np.mean(trees)))
        return evaluation["business_cost_per_applicant"]

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study.optimize(objective, n_trials=parameters["n_trials"], timeout=budget, show_progress_bar=parameters["progress"])
    logger.info(
        "tuning: %d trials complete, %d pruned, in %.0f s (%d applicants, %d folds a trial)",
        sum(trial.state == optuna.trial.TrialState.COMPLETE for trial in study.trials),
        sum(trial.state == optuna.trial.TrialState.PRUNED for trial in study.trials),
        time.monotonic() - started,
        len(y),
        n_folds,
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
