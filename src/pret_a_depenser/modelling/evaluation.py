"""Ranking quality and business cost of a set of predicted probabilities of default."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from pret_a_depenser.business_cost import business_cost, optimal_threshold, threshold_grid
from pret_a_depenser.scoring.decision import DecisionRule


def evaluate_predictions(y: np.ndarray, proba: np.ndarray, costs: dict[str, float], step: float) -> dict[str, float]:
    """ROC AUC, PR AUC and the business cost at 0.5 and at the cost-minimising threshold."""
    threshold, cost = optimal_threshold(y, proba, threshold_grid(step), costs["fn_cost"], costs["fp_cost"])
    cost_at_half = business_cost(y, DecisionRule(0.5).refuses(proba), costs["fn_cost"], costs["fp_cost"])
    return {
        "roc_auc": float(roc_auc_score(y, proba)),
        "pr_auc": float(average_precision_score(y, proba)),
        "best_threshold": threshold,
        "business_cost": cost,
        "business_cost_per_applicant": cost / len(y),
        "business_cost_at_0_5": cost_at_half,
        "business_cost_at_0_5_per_applicant": cost_at_half / len(y),
    }
