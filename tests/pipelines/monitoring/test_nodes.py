"""Drift statistics on hand-made reference and current frames."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from pret_a_depenser.pipelines.monitoring.nodes import drift_mlflow_metrics, drift_statistics

PARAMETERS = {"psi_bins": 10, "psi_watch": 0.1, "psi_act": 0.25, "p_value": 0.01, "min_current_rows": 30}
MODEL = SimpleNamespace(features=["income", "score", "contract"], categorical_features=["contract"])


def frame(rng: np.random.Generator, n: int, income_shift: float = 0.0, revolving_share: float = 0.1) -> pd.DataFrame:
    income = rng.normal(100 + income_shift, 10, n)
    income[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "income": income,
            "score": rng.uniform(0, 1, n),
            "contract": rng.choice(["Cash loans", "Revolving loans"], n, p=[1 - revolving_share, revolving_share]),
            "probability_of_default": rng.beta(2, 20, n),
        }
    )


def test_a_shifted_number_and_a_shifted_label_are_flagged_and_nothing_else():
    rng = np.random.default_rng(0)
    reference = frame(rng, 5000)
    table = drift_statistics(reference, frame(rng, 2000, income_shift=10, revolving_share=0.5), MODEL, PARAMETERS).set_index(
        "feature"
    )
    assert (
        table.loc["income", "status"] == "drift" and table.loc["income", "test"] == "ks" and table.loc["income", "test_rejects"]
    )
    assert table.loc["contract", "status"] == "drift" and table.loc["contract", "test"] == "chi2"
    assert table.loc["score", "status"] == "stable" and table.loc["probability_of_default", "kind"] == "score"


def test_an_unshifted_batch_is_stable_and_missing_values_count():
    rng = np.random.default_rng(1)
    reference, current = frame(rng, 5000), frame(rng, 2000)
    assert set(drift_statistics(reference, current, MODEL, PARAMETERS)["status"]) == {"stable"}
    current.loc[: len(current) // 2, "income"] = np.nan  # half the incomes now missing: a drift PSI sees
    table = drift_statistics(reference, current, MODEL, PARAMETERS).set_index("feature")
    assert table.loc["income", "status"] == "drift" and table.loc["income", "current_missing_share"] > 0.5


def test_too_few_current_applicants_give_no_verdict():
    rng = np.random.default_rng(2)
    with pytest.raises(ValueError, match="min_current_rows=30"):
        drift_statistics(frame(rng, 500), frame(rng, 10), MODEL, PARAMETERS)


def test_mlflow_metrics_count_drifted_features():
    rng = np.random.default_rng(3)
    table = drift_statistics(frame(rng, 5000), frame(rng, 2000, income_shift=10), MODEL, PARAMETERS)
    metrics = drift_mlflow_metrics(table)
    assert metrics["drift.n_features_drifted"]["value"] == 1 and "drift.psi.income" in metrics and "drift.score_psi" in metrics
