"""The credit rule: calibration, then REFUSED at or above the threshold, in one place."""

import numpy as np
import pytest

from pret_a_depenser.scoring.decision import Contribution, DecisionRule, ExplainedDecision, Reason
from pret_a_depenser.scoring.schema import Explanation

# isotonic map: scores 0..1 -> default frequency 0..0.5
HALVING = {"method": "isotonic", "scores": [0.0, 1.0], "probabilities": [0.0, 0.5]}


def test_the_threshold_applies_to_the_calibrated_probability_and_refuses_at_equality():
    decisions = DecisionRule(0.2, HALVING).decide(np.array([0.2, 0.39, 0.4, 0.9]))
    assert decisions.probabilities.tolist() == pytest.approx([0.1, 0.195, 0.2, 0.45])
    assert decisions.refused.tolist() == [False, False, True, True]  # 0.4 scores 0.2: at the threshold
    assert decisions.labels.tolist() == ["ACCEPTED", "ACCEPTED", "REFUSED", "REFUSED"]
    assert decisions.refusal_rate == 0.5 and decisions.threshold == 0.2 and len(decisions) == 4


def test_log_odds_decide_as_their_score():
    scores = np.array([0.05, 0.3, 0.7])
    rule = DecisionRule(0.2, HALVING)
    by_log_odds = rule.decide_log_odds(np.log(scores / (1 - scores)))
    np.testing.assert_allclose(by_log_odds.probabilities, rule.decide(scores).probabilities, rtol=0, atol=1e-12)
    assert by_log_odds.refused.tolist() == rule.decide(scores).refused.tolist()


def test_a_rule_without_threshold_calibrates_but_does_not_decide():
    rule = DecisionRule(None, HALVING)
    assert rule.probability_of_default(np.array([1.0])).tolist() == [0.5]
    with pytest.raises(ValueError, match="no threshold yet"):
        rule.decide(np.array([0.5]))


def test_an_explained_decision_is_what_the_service_schema_reads():
    explained = ExplainedDecision(
        probability_of_default=0.3,
        decision="REFUSED",
        threshold=0.2,
        model_tag="credit_scoring:1",
        unseen_categories=["NAME_TYPE_SUITE"],
        base_value=-2.0,
        raw_score=-0.5,
        contributions=[Contribution("EXT_SOURCE_2", 0.1, 1.5, "increases_risk")],
        reasons=[Reason("EXT_SOURCE_2", "External score 2 (value 0.1) raises the estimated risk", 1.5)],
    )
    body = Explanation(**explained.as_dict(), request_id="r").model_dump()
    assert body["contributions"][0] == {
        "feature": "EXT_SOURCE_2",
        "value": 0.1,
        "contribution": 1.5,
        "direction": "increases_risk",
    }
    assert body["reasons"][0]["feature"] == "EXT_SOURCE_2" and body["unseen_categories"] == ["NAME_TYPE_SUITE"]
