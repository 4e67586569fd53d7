"""Business cost = 10 × FN + 1 × FP, checked by hand."""

import numpy as np
import pytest

from pret_a_depenser.business_cost import business_cost, confusion_counts, cost_curve, optimal_threshold, threshold_grid
from pret_a_depenser.scoring.decision import DecisionRule

Y = np.array([1, 1, 0, 0, 0, 1])
PROBA = np.array([0.9, 0.2, 0.6, 0.1, 0.3, 0.5])


def test_confusion_and_cost_at_a_threshold():
    # threshold 0.5 refuses 0.9, 0.6, 0.5: tp=2 (0.9, 0.5), fp=1 (0.6), fn=1 (0.2), tn=2
    refused = DecisionRule(0.5).refuses(PROBA)
    assert confusion_counts(Y, refused) == {"tn": 2, "fp": 1, "fn": 1, "tp": 2}
    assert business_cost(Y, refused, fn_cost=10, fp_cost=1) == 11.0


def test_cost_curve_counts_the_decision_rule_at_every_threshold():
    grid = threshold_grid(0.05)
    curve = cost_curve(Y, PROBA, grid, fn_cost=10, fp_cost=1)
    expected = [business_cost(Y, DecisionRule(t).refuses(PROBA), 10, 1) for t in grid]
    assert curve["cost"].tolist() == expected
    assert curve["cost_per_applicant"].tolist() == pytest.approx([cost / 6 for cost in expected])


def test_optimal_threshold_refuses_enough_to_catch_costly_defaults():
    threshold, cost = optimal_threshold(Y, PROBA, threshold_grid(0.05), fn_cost=10, fp_cost=1)
    # catching the 0.2 default needs threshold <= 0.2: refuses 0.6 and 0.3 as well -> cost 2.
    assert cost == 2.0 and threshold == pytest.approx(0.15)
