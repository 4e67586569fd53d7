"""The promotion gate on hand-made figures: cost, AUC and the fairness floor each hold a version back."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pret_a_depenser.pipelines.serving.promotion import promotion_decision
from pret_a_depenser.scoring.decision import DecisionRule

PARAMETERS = {
    "max_cost_increase": 0.0,
    "max_auc_decrease": 0.005,
    "min_approval_rate_ratio": 0.8,
    "fairness_attributes": ["CODE_GENDER"],
}
FAIR = pd.DataFrame(
    {
        "attribute": ["CODE_GENDER", "CODE_GENDER", "AGE_BAND"],
        "group": ["F", "M", "18-24"],
        "approval_rate_ratio_to_best": [1.0, 0.9, 0.6],
    }
)


def _decide(metrics, fairness=FAIR, champion=None):
    return promotion_decision(champion, metrics, fairness, pd.DataFrame(), {}, PARAMETERS)


def test_the_first_fair_version_is_promoted_and_age_bands_are_audited_not_gated():
    decision = _decide({"roc_auc": 0.8, "business_cost": 100.0})
    assert decision["promote"] is True and decision["reasons"] == [] and decision["min_fairness_ratio"] == 0.9


def test_a_gender_approval_ratio_under_the_floor_holds_the_version_back():
    unfair = FAIR.assign(approval_rate_ratio_to_best=[1.0, 0.7, 0.6])
    decision = _decide({"roc_auc": 0.8, "business_cost": 100.0}, unfair)
    assert decision["promote"] is False and decision["reasons"] == [
        "approval rate ratio 0.700 for CODE_GENDER=M is under the floor 0.8"
    ]


class _Champion:
    """A stand-in for the champion's artefact: fixed probabilities for the holdout applicants."""

    tag, threshold = "credit_scoring:champion", 0.5

    def __init__(self, probabilities):
        self._probabilities = probabilities

    def inputs_from_frame(self, frame):
        return frame

    def decide(self, inputs):
        return DecisionRule(self.threshold).decide(np.asarray(self._probabilities))


def test_a_version_costlier_or_less_discriminating_than_the_champion_on_the_same_holdout_is_the_challenger():
    holdout_set = pd.DataFrame({"SK_ID_CURR": [1, 2, 3, 4], "TARGET": [1, 0, 0, 1], "X": [0.0] * 4})
    champion = _Champion([0.9, 0.1, 0.2, 0.8])  # perfect ranking, cost 0 at 0.5
    decision = promotion_decision(
        champion, {"roc_auc": 0.75, "business_cost": 10.0}, FAIR, holdout_set, {"fn_cost": 10, "fp_cost": 1}, PARAMETERS
    )
    assert decision["promote"] is False and decision["champion"] == {
        "model_tag": "credit_scoring:champion",
        "roc_auc": 1.0,
        "business_cost": 0.0,
    }
    assert [reason.split(" ")[1] for reason in decision["reasons"]] == ["business", "ROC"]
    equal = promotion_decision(
        champion, {"roc_auc": 1.0, "business_cost": 0.0}, FAIR, holdout_set, {"fn_cost": 10, "fp_cost": 1}, PARAMETERS
    )
    assert equal["promote"] is True
