"""Holdout and folds, out-of-fold predictions, and every benchmarked estimator on a tiny frame."""

import numpy as np
import pandas as pd
import pytest

from pret_a_depenser.modelling.cross_validation import holdout_and_folds, out_of_fold_predictions, training_sample
from pret_a_depenser.modelling.estimators import IMBALANCE_HANDLING, build_model, catboost_frame, model_factory


@pytest.fixture()
def frame():
    rng = np.random.default_rng(0)
    n = 400
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "SK_ID_CURR": np.arange(100000, 100000 + n),
            "TARGET": (rng.random(n) < 1 / (1 + np.exp(-(x * 2 - 2)))).astype(int),
            "SIGNAL": x,
            "NOISE": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
            "LABEL": pd.Series(rng.choice(["a", "b", None], size=n), dtype="str"),
        }
    )


def test_holdout_and_folds_are_stratified_disjoint_and_seeded(frame):
    split = holdout_and_folds(frame[["SK_ID_CURR", "TARGET"]], holdout_share=0.25, n_folds=4, seed=1)
    holdout, train = split[split["SET"] == "holdout"], split[split["SET"] == "train"]
    assert len(holdout) == 100 and (holdout["FOLD"] == -1).all()
    assert sorted(train["FOLD"].unique()) == [0, 1, 2, 3]
    assert abs(holdout["TARGET"].mean() - frame["TARGET"].mean()) < 0.02
    assert split.equals(holdout_and_folds(frame[["SK_ID_CURR", "TARGET"]], holdout_share=0.25, n_folds=4, seed=1))


@pytest.mark.parametrize("name", sorted(IMBALANCE_HANDLING))
def test_every_benchmarked_model_predicts_probabilities_out_of_fold(frame, name):
    features, y = frame[["SIGNAL", "NOISE", "LABEL"]], frame["TARGET"].to_numpy()
    folds = np.arange(len(y)) % 3
    params = {
        "catboost": {"iterations": 30},
        "random_forest": {"n_estimators": 20},
        "lightgbm": {"n_estimators": 20},
        "xgboost": {"n_estimators": 20},
        "mlp": {"max_iter": 50},
        "logistic_regression": {},
    }[name]
    proba, fit_seconds, _, trees = out_of_fold_predictions(model_factory(name, params, seed=0), features, y, folds)
    assert trees == []  # no early stopping asked
    assert np.isfinite(proba).all() and ((proba >= 0) & (proba <= 1)).all()
    assert fit_seconds > 0
    assert np.corrcoef(proba, frame["SIGNAL"])[0, 1] > 0.3  # it learned the planted signal


def test_unknown_model_is_named():
    with pytest.raises(ValueError, match="Unknown model 'svm'"):
        build_model("svm", {}, pd.DataFrame({"a": [1.0]}), np.array([0]), seed=0)


def test_catboost_frame_fills_missing_labels_with_a_token(frame):
    prepared = catboost_frame(frame[["LABEL", "SIGNAL"]], ["LABEL"])
    assert prepared["LABEL"].isna().sum() == 0 and "MISSING" in set(prepared["LABEL"])
    assert prepared["SIGNAL"].equals(frame["SIGNAL"])


def test_training_sample_is_stratified_seeded_and_keeps_small_sets_whole():
    training_set = pd.DataFrame({"SK_ID_CURR": np.arange(1000), "TARGET": np.r_[np.ones(100), np.zeros(900)].astype(int)})
    sample = training_sample(training_set, 200, seed=1)
    assert len(sample) == 200 and sample["TARGET"].sum() == 20  # the 10 % default rate is kept
    assert sample["SK_ID_CURR"].is_monotonic_increasing  # in the set's row order
    assert sample.equals(training_sample(training_set, 200, seed=1))
    assert not sample.equals(training_sample(training_set, 200, seed=2))
    assert training_sample(training_set, 1000, seed=1) is training_set


def test_out_of_fold_predictions_can_score_only_the_first_folds(frame):
    features, y = frame.drop(columns=["SK_ID_CURR", "TARGET"]), frame["TARGET"].to_numpy()
    folds = np.arange(len(y)) % 4
    scored = []
    proba, *_ = out_of_fold_predictions(
        model_factory("logistic_regression", {"max_iter": 50}, 0),
        features,
        y,
        folds,
        lambda fold, _: scored.append(fold),
        scored_folds=2,
    )
    assert scored == [0, 1]
    assert np.isnan(proba[folds >= 2]).all() and not np.isnan(proba[folds < 2]).any()


def test_early_stopping_keeps_the_trees_each_fold_validated(frame):
    features, y = frame.drop(columns=["SK_ID_CURR", "TARGET"]), frame["TARGET"].to_numpy()
    folds = np.arange(len(y)) % 3
    params = {"iterations": 400, "learning_rate": 0.3, "depth": 3}
    stopped = out_of_fold_predictions(model_factory("catboost", params, 0), features, y, folds, early_stopping_rounds=10)
    assert len(stopped.trees) == 3 and all(1 <= trees < 400 for trees in stopped.trees)  # the planted signal is learnt early
    assert np.isfinite(stopped.proba).all()
    assert np.corrcoef(stopped.proba, frame["SIGNAL"])[0, 1] > 0.3
