import numpy as np
import pandas as pd

from pret_a_depenser.pipelines.feature_selection.nodes import select_features


def test_select_features_keeps_the_more_important_of_a_correlated_pair_and_lists_labels():
    rng = np.random.default_rng(0)
    n = 300
    a = rng.normal(size=n)
    frame = pd.DataFrame({
        "SK_ID_CURR": np.arange(n), "TARGET": (rng.random(n) < 0.3).astype(int),
        "A": a, "A_COPY": 2 * a + 0.001 * rng.normal(size=n), "B": rng.normal(size=n), "C": rng.normal(size=n),
        "LABEL": pd.Series(rng.choice(["x", "y"], size=n), dtype="str"), "USELESS": rng.normal(size=n),
    })
    split = pd.DataFrame({"SK_ID_CURR": frame["SK_ID_CURR"], "TARGET": frame["TARGET"], "SET": "train", "FOLD": np.arange(n) % 3})
    importance = pd.DataFrame({"feature": ["A_COPY", "A", "LABEL", "B", "C", "USELESS"], "importance": [9.0, 8.0, 5.0, 4.0, 3.0, 0.0]})
    params = {"n_features": 3, "n_candidates": 10, "max_correlation": 0.9, "correlation_sample": 1000, "seed": 0}
    kept, categorical = select_features(importance, frame, split, params)
    assert kept == ["A_COPY", "LABEL", "B"]  # A duplicates A_COPY; stops at three; zero-importance never kept
    assert categorical == ["LABEL"]
