"""Outcome monitoring on hand-made decisions: joins, per-period figures and the two alerts."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from pret_a_depenser.pipelines.outcome_monitoring.nodes import decisions_with_outcomes, outcome_alerts, outcome_report

MODEL = SimpleNamespace(tag="credit_scoring:new", features=["X", "L"], numeric_features=["X"], categorical_features=["L"])
MONITORING = {"psi_bins": 5, "psi_watch": 0.1, "psi_act": 0.25, "p_value": 0.01, "min_current_rows": 30}
BUSINESS = {"fn_cost": 10, "fp_cost": 1}


def _audit(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": i,
                "model_tag": tag,
                "applicant_id": applicant,
                "probability_of_default": p,
                "decision": "REFUSED" if p >= 0.5 else "ACCEPTED",
                "features": json.dumps({"X": x, "L": "a"}),
            }
            for i, (tag, applicant, p, x) in enumerate(rows)
        ]
    )


def test_the_latest_decision_of_the_served_model_is_joined_with_its_outcome_and_period():
    audit = _audit(
        [
            ("credit_scoring:new", 1, 0.2, 1.0),
            ("credit_scoring:new", 1, 0.7, 2.0),
            ("credit_scoring:old", 2, 0.1, 0.0),
            ("credit_scoring:new", 3, 0.1, 3.0),
        ]
    )
    outcomes = pd.DataFrame(
        {"SK_ID_CURR": [1, 2, 3], "TARGET": [1, 0, 0], "OBSERVED_ON": ["2027-01-15", "2027-01-20", "2027-02-03"]}
    )
    joined = decisions_with_outcomes(MODEL, audit, outcomes, {"period": "M"})
    assert joined[["SK_ID_CURR", "period", "TARGET", "decision", "X"]].to_dict("list") == {
        "SK_ID_CURR": [1, 3],
        "period": ["2027-01", "2027-02"],
        "TARGET": [1, 0],
        "decision": ["REFUSED", "ACCEPTED"],
        "X": [2.0, 3.0],
    }


@pytest.mark.parametrize(
    ("outcomes", "message"),
    [
        (pd.DataFrame({"SK_ID_CURR": [1], "TARGET": [1]}), "columns OBSERVED_ON are missing"),
        (pd.DataFrame({"SK_ID_CURR": [1], "TARGET": [2], "OBSERVED_ON": ["2027-01-01"]}), "TARGET must be 0"),
        (pd.DataFrame({"SK_ID_CURR": [1], "TARGET": [1], "OBSERVED_ON": ["soon"]}), "OBSERVED_ON is not a date in row"),
    ],
)
def test_a_bad_outcomes_file_is_named_with_its_column(outcomes, message):
    with pytest.raises(ValueError, match=message):
        decisions_with_outcomes(MODEL, _audit([("credit_scoring:new", 1, 0.2, 1.0)]), outcomes, {"period": "M"})


def test_periods_are_flagged_for_cost_above_the_margin_or_drift_past_the_action_level():
    rng = np.random.default_rng(0)
    reference = pd.DataFrame({"X": rng.normal(size=2000), "L": "a", "probability_of_default": rng.uniform(size=2000)})
    n = 200
    calm = pd.DataFrame(
        {
            "SK_ID_CURR": range(n),
            "period": "2027-01",
            "TARGET": [1] * 10 + [0] * (n - 10),
            "probability_of_default": [0.9] * 10 + [0.1] * (n - 10),
            "X": rng.normal(size=n),
            "L": "a",
        }
    )
    calm["decision"] = np.where(calm["probability_of_default"] >= 0.5, "REFUSED", "ACCEPTED")
    costly = calm.assign(period="2027-02", decision="ACCEPTED")  # every default accepted: cost 10 * 10 / 200 = 0.5
    shifted = calm.assign(period="2027-03", X=calm["X"] + 3)
    expected = {"business_cost_per_applicant": 0.1, "roc_auc": 0.8, "refusal_rate": 0.05}
    report = outcome_report(
        pd.concat([calm, costly, shifted]), reference, MODEL, expected, BUSINESS, MONITORING, {"cost_margin": 0.2}
    )
    assert report["period"].tolist() == ["2027-01", "2027-02", "2027-03"]
    assert report["business_cost_per_applicant"].tolist() == [0.0, 0.5, 0.0] and report["roc_auc"].tolist()[0] == 1.0
    assert report["cost_alert"].tolist() == [False, True, False] and report["drift_alert"].tolist() == [False, False, True]
    assert report.loc[2, "drifted_features"] == "X" and report.loc[0, "max_feature_psi"] < 0.1
    tags, summary = outcome_alerts(report)
    assert tags == {"outcome_alert": "true", "outcome_alert_periods": "2027-02, 2027-03"}
    assert summary.count("ALERT") == 2 and "2027-01: 200 decisions, 10 defaults" in summary and "No alert." in summary
