import numpy as np
import pandas as pd

from pret_a_depenser.pipelines.feature_selection.nodes import select_features


def test_select_features_keeps_the_more_important_of_a_correlated_pair_and_lists_labels():
    rng = np.random.default_rng(0)
    n = 300
    a = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "SK_ID_CURR": np.arange(n),
            "TARGET": (rng.random(n) < 0.3).astype(int),
            "A": a,
            "A_COPY": 2 * a + 0.001 * rng.normal(size=n),
            "B": rng.normal(size=n),
            "C": rng.normal(size=n),
            "LABEL": pd.Series(rng.choice(["x", "y"], size=n), dtype="str"),
            "USELESS": rng.normal(size=n),
        }
    )
    frame.insert(2, "FOLD", np.arange(n) % 3)
    importance = pd.DataFrame(
        {"feature": ["A_COPY", "A", "LABEL", "B", "C", "USELESS"], "importance": [9.0, 8.0, 5.0, 4.0, 3.0, 0.0]}
    )
    params = {"n_features": 3, "n_candidates": 10, "max_correlation": 0.9, "correlation_sample": 1000}
    kept, categorical = select_features(importance, frame, params, seed=0)
    assert kept == ["A_COPY", "LABEL", "B"]  # A duplicates A_COPY; stops at three; zero-importance never kept
    assert categorical == ["LABEL"]


def test_protected_attributes_and_their_derived_features_are_never_ranked():
    from pret_a_depenser.pipelines.feature_selection.nodes import protected_features, rank_features

    assert protected_features(["CODE_GENDER", "APP_CODE_GENDER_F_SHARE", "AMT_CREDIT"], ["CODE_GENDER"]) == [
        "CODE_GENDER",
        "APP_CODE_GENDER_F_SHARE",
    ]
    rng = np.random.default_rng(1)
    n = 400
    target = (rng.random(n) < 0.3).astype(int)
    frame = pd.DataFrame(
        {
            "SK_ID_CURR": np.arange(n),
            "TARGET": target,
            "CODE_GENDER": pd.Series(np.where(target == 1, "M", "F"), dtype="str"),  # a perfect predictor, and protected
            "A": rng.normal(size=n) + target,
            "B": rng.normal(size=n),
        }
    )
    frame["FOLD"] = np.arange(n) % 3
    ranker = {"n_estimators": 20, "num_leaves": 7, "min_child_samples": 10, "n_jobs": 1}
    ranked = rank_features(frame, {"ranker": ranker, "ranking_sample": 10_000}, ["CODE_GENDER"], seed=0)
    assert set(ranked["feature"]) == {"A", "B"}


def test_the_selected_training_set_keeps_keys_and_lays_numbers_before_labels():
    from pret_a_depenser.pipelines.feature_selection.nodes import selected_training_set

    frame = pd.DataFrame(
        {"SK_ID_CURR": [1, 2], "TARGET": [0, 1], "FOLD": [0, 1], "LABEL": ["x", "y"], "A": [1.0, 2.0], "B": [3.0, 4.0]}
    )
    selected = selected_training_set(frame, ["LABEL", "A"], ["LABEL"])
    assert list(selected.columns) == ["SK_ID_CURR", "TARGET", "FOLD", "A", "LABEL"]
