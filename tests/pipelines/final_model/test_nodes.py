import numpy as np
import pandas as pd
import pytest

from pret_a_depenser.pipelines.final_model.nodes import evaluate_on_holdout, train_final_model


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    n = 600
    x = rng.normal(size=n)
    true_pd = 1 / (1 + np.exp(-(2 * x - 2)))
    frame = pd.DataFrame({
        "SK_ID_CURR": np.arange(n), "TARGET": (rng.random(n) < true_pd).astype(int), "X": x,
        "LABEL": pd.Series(rng.choice(["a", None], size=n), dtype="str"),
    })
    split = pd.DataFrame({"SK_ID_CURR": frame["SK_ID_CURR"], "TARGET": frame["TARGET"], "SET": np.where(np.arange(n) < 450, "train", "holdout"), "FOLD": np.where(np.arange(n) < 450, np.arange(n) % 3, -1)})
    model = train_final_model(frame, split, ["X", "LABEL"], ["LABEL"], {"iterations": 50, "depth": 3}, seed=0)
    truth = pd.DataFrame({"SK_ID_CURR": frame["SK_ID_CURR"], "TRUE_PD": true_pd})
    return model, frame, split, truth


BUSINESS = {"fn_cost": 10, "fp_cost": 1, "threshold_step": 0.01}


def test_holdout_evaluation_with_oracle(fitted):
    model, frame, split, truth = fitted
    metrics, predictions = evaluate_on_holdout(model, frame, split, ["X", "LABEL"], ["LABEL"], {"threshold": 0.5}, BUSINESS, truth)
    assert metrics["n_holdout"] == 150 and len(predictions) == 150
    assert metrics["business_cost"] == 10 * metrics["fn"] + metrics["fp"]
    assert metrics["roc_auc"] > 0.7 and metrics["oracle_roc_auc"] > 0.7
    assert metrics["oracle_business_cost"] <= 10 * metrics["tp"] + 10 * metrics["fn"]  # never worse than accepting everyone
    assert set(predictions["SK_ID_CURR"]) == set(split.loc[split["SET"] == "holdout", "SK_ID_CURR"])


def test_holdout_evaluation_without_truth_has_no_oracle(fitted):
    model, frame, split, _ = fitted
    metrics, _ = evaluate_on_holdout(model, frame, split, ["X", "LABEL"], ["LABEL"], {"threshold": 0.5}, BUSINESS, pd.DataFrame())
    assert "oracle_roc_auc" not in metrics and "roc_auc" in metrics
