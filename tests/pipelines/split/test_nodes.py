import numpy as np
import pandas as pd
import pytest

from pret_a_depenser.modelling.cross_validation import features_target_folds
from pret_a_depenser.pipelines.split.nodes import split_holdout, training_and_holdout_sets


def _model_input(n=200):
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {"SK_ID_CURR": np.arange(n) + 100000, "TARGET": (rng.random(n) < 0.2).astype(int), "X": rng.normal(size=n)}
    )


def test_the_holdout_is_stratified_and_every_other_applicant_has_a_fold():
    frame = _model_input()
    split = split_holdout(frame, {"holdout_share": 0.25, "n_folds": 3}, seed=0)
    holdout, train = split[split["SET"] == "holdout"], split[split["SET"] == "train"]
    assert len(holdout) == 50 and not set(holdout["SK_ID_CURR"]) & set(train["SK_ID_CURR"])
    assert set(holdout["FOLD"]) == {-1} and set(train["FOLD"]) == {0, 1, 2}
    assert holdout["TARGET"].mean() == pytest.approx(frame["TARGET"].mean(), abs=0.02)


def test_the_sets_hold_each_applicants_own_row_in_the_splits_order():
    frame = _model_input()
    split = split_holdout(frame, {"holdout_share": 0.25, "n_folds": 3}, seed=0)
    training_set, holdout_set = training_and_holdout_sets(frame, split)
    assert list(training_set.columns) == ["SK_ID_CURR", "TARGET", "FOLD", "X"] and list(holdout_set.columns) == [
        "SK_ID_CURR",
        "TARGET",
        "X",
    ]
    assert training_set["SK_ID_CURR"].tolist() == split.loc[split["SET"] == "train", "SK_ID_CURR"].tolist()
    by_id = frame.set_index("SK_ID_CURR")
    for rows in (training_set, holdout_set):
        assert (rows["X"].to_numpy() == by_id.loc[rows["SK_ID_CURR"], "X"].to_numpy()).all()
        assert (rows["TARGET"].to_numpy() == by_id.loc[rows["SK_ID_CURR"], "TARGET"].to_numpy()).all()
    features, y, folds = features_target_folds(training_set)
    assert list(features.columns) == ["X"] and len(y) == len(folds) == 150


def test_a_model_input_without_target_is_refused_by_name():
    with pytest.raises(KeyError, match="TARGET"):
        split_holdout(_model_input().drop(columns="TARGET"), {"holdout_share": 0.25, "n_folds": 3}, seed=0)
