"""Seeded splits and out-of-fold predictions: every model sees the same folds."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold, train_test_split


def holdout_and_folds(applicants: pd.DataFrame, holdout_share: float, n_folds: int, seed: int) -> pd.DataFrame:
    """``SK_ID_CURR``, ``TARGET``, ``SET`` (train / holdout) and ``FOLD`` (0..n_folds-1, -1 for holdout).

    Both the holdout and the folds are stratified on TARGET, so each keeps the ~8 % default rate.
    """
    ids, target = applicants["SK_ID_CURR"].to_numpy(), applicants["TARGET"].to_numpy().astype(int)
    _, holdout_ids = train_test_split(ids, test_size=holdout_share, stratify=target, random_state=seed)
    split = pd.DataFrame({"SK_ID_CURR": ids, "TARGET": target})
    split["SET"] = np.where(split["SK_ID_CURR"].isin(holdout_ids), "holdout", "train")
    split["FOLD"] = -1
    train = split.index[split["SET"] == "train"]
    split.loc[train, "FOLD"] = stratified_folds(split.loc[train, "TARGET"].to_numpy(), n_folds, seed)
    return split


def stratified_folds(target: np.ndarray, n_folds: int, seed: int) -> np.ndarray:
    """Each applicant's fold (0..n_folds-1), stratified on the target and seeded."""
    folds = np.empty(len(target), dtype=np.int64)
    for fold, (_, rows) in enumerate(StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed).split(folds, target)):
        folds[rows] = fold
    return folds


class OutOfFold(NamedTuple):
    proba: np.ndarray  # each applicant's out-of-fold probability (NaN for folds not scored)
    fit_seconds: float
    predict_seconds: float
    trees: list[int]  # with early stopping: the trees each fold's model kept (its best iteration + 1)


def out_of_fold_predictions(
    make_model: Callable[[pd.DataFrame, np.ndarray], object],
    features: pd.DataFrame,
    y: np.ndarray,
    folds: np.ndarray,
    after_fold: Callable[[int, np.ndarray], None] | None = None,
    scored_folds: int | None = None,
    early_stopping_rounds: int | None = None,
) -> OutOfFold:
    """Out-of-fold probabilities of default, total fit and predict seconds, and trees kept per fold.

    ``after_fold(fold, proba_so_far)`` lets a caller stop early (Optuna pruning raises from it).
    ``scored_folds``: only the first k folds are scored (each by a model fitted on all the other folds);
    the other rows' probabilities stay NaN. ``early_stopping_rounds`` (boosted trees in a pipeline whose
    last step takes an ``eval_set``, i.e. CatBoost): each fold's model stops adding trees once its
    scored fold's log loss has not improved for that many rounds, and keeps its best trees; the number
    of trees then follows the data instead of a fixed count.
    """
    proba = np.full(len(y), np.nan)
    fit_seconds = predict_seconds = 0.0
    trees: list[int] = []
    for fold in np.unique(folds)[:scored_folds]:
        fitting, scoring = folds != fold, folds == fold
        model = make_model(features[fitting], y[fitting])
        started = time.perf_counter()
        if early_stopping_rounds:
            prepare, booster = model[:-1], model[-1]
            booster.fit(
                prepare.fit_transform(features[fitting]),
                y[fitting],
                eval_set=(prepare.transform(features[scoring]), y[scoring]),
                early_stopping_rounds=early_stopping_rounds,
                use_best_model=True,
            )
            trees.append(int(booster.get_best_iteration()) + 1)
        else:
            model.fit(features[fitting], y[fitting])
        fit_seconds += time.perf_counter() - started
        started = time.perf_counter()
        proba[scoring] = model.predict_proba(features[scoring])[:, 1]
        predict_seconds += time.perf_counter() - started
        if after_fold is not None:
            after_fold(int(fold), proba)
    return OutOfFold(proba, fit_seconds, predict_seconds, trees)


SPLIT_COLUMNS = ["SK_ID_CURR", "TARGET", "FOLD"]


def training_sample(training_set: pd.DataFrame, size: int, seed: int) -> pd.DataFrame:
    """A seeded sample of ``size`` training applicants, stratified on TARGET, in the set's row order (the
    whole set when it is not larger). Diagnostics and searches read a sample where more rows buy
    nothing they report; the final model, calibration, threshold and holdout read every row."""
    if len(training_set) <= size:
        return training_set
    rows, _ = train_test_split(
        np.arange(len(training_set)), train_size=size, stratify=training_set["TARGET"].to_numpy(), random_state=seed
    )
    return training_set.iloc[np.sort(rows)].reset_index(drop=True)


def features_target_folds(training_set: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """A training set's features (without key, target and fold), its target and its folds."""
    return (
        training_set.drop(columns=SPLIT_COLUMNS),
        training_set["TARGET"].to_numpy().astype(int),
        training_set["FOLD"].to_numpy(),
    )
