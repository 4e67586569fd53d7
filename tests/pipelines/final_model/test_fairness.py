"""Fairness audit and model card on hand-made holdouts."""

from __future__ import annotations

import pandas as pd
import pytest

from pret_a_depenser.pipelines.final_model.fairness import fairness_audit, fairness_mlflow_metrics

PARAMETERS = {"age_band_edges": [18, 40, 100], "min_group_size": 2}


@pytest.fixture()
def holdout() -> tuple[pd.DataFrame, pd.DataFrame]:
    predictions = pd.DataFrame(
        {
            "SK_ID_CURR": [1, 2, 3, 4, 5, 6, 7, 8],
            "TARGET": [0, 0, 1, 0, 0, 0, 1, 0],
            "PD": [0.1, 0.6, 0.7, 0.2, 0.1, 0.2, 0.3, 0.8],
        }
    )
    features = pd.DataFrame(
        {
            "SK_ID_CURR": [8, 7, 6, 5, 4, 3, 2, 1],  # another order than the predictions
            "CODE_GENDER": ["M", "M", "M", "M", "F", "F", "F", "F"],
            "DAYS_BIRTH": [
                -50 * 365.25,
                -30 * 365.25,
                -50 * 365.25,
                -30 * 365.25,
                -50 * 365.25,
                -30 * 365.25,
                -50 * 365.25,
                -30 * 365.25,
            ],
        }
    )
    return predictions, features


def test_rates_by_group_and_ratios_to_the_best_treated_group(holdout):
    predictions, features = holdout
    table = fairness_audit(predictions, features, {"threshold": 0.5}, PARAMETERS).set_index(["attribute", "group"])
    women, men = table.loc[("CODE_GENDER", "F")], table.loc[("CODE_GENDER", "M")]
    # women: ids 1-4, refused 2 and 3; men: ids 5-8, refused 8
    assert women["approval_rate"] == 0.5 and men["approval_rate"] == 0.75
    assert women["false_refusal_rate"] == pytest.approx(1 / 3) and men["false_refusal_rate"] == pytest.approx(1 / 3)
    assert women["default_rate_among_approved"] == 0 and men["default_rate_among_approved"] == pytest.approx(1 / 3)
    assert women["approval_rate_ratio_to_best"] == pytest.approx(0.5 / 0.75) and men["approval_rate_ratio_to_best"] == 1
    assert women["roc_auc"] == 1.0 and men["roc_auc"] == pytest.approx(2 / 3)
    assert set(table.loc["AGE_BAND"].index) == {"18-39", "40-99"} and table.loc[("AGE_BAND", "18-39"), "n"] == 4
    metrics = fairness_mlflow_metrics(table.reset_index())
    assert metrics["fairness.CODE_GENDER.F.approval_rate"] == {"value": 0.5, "step": 0}


def test_missing_gender_is_its_own_group(holdout):
    predictions, features = holdout
    features.loc[0, "CODE_GENDER"] = None
    table = fairness_audit(predictions, features, {"threshold": 0.5}, PARAMETERS)
    assert "unknown" in set(table.loc[table["attribute"] == "CODE_GENDER", "group"])
