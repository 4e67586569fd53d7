"""The lender's business cost of automatic decisions: ``fn_cost × FN + fp_cost × FP``.

A default predicted as a good client (FN) loses the credit; a good client refused (FP) loses the
margin. The refusals come from the decision rule (``scoring.decision.DecisionRule``); the cost curve
counts the same rule (REFUSED at or above the threshold) at every candidate threshold at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def confusion_counts(y_true: np.ndarray, refused: np.ndarray) -> dict[str, int]:
    """Confusion matrix of refusals (True: REFUSED) against defaults."""
    refused = np.asarray(refused, dtype=bool)
    defaulted = np.asarray(y_true) == 1
    return {
        "tn": int((~refused & ~defaulted).sum()),
        "fp": int((refused & ~defaulted).sum()),
        "fn": int((~refused & defaulted).sum()),
        "tp": int((refused & defaulted).sum()),
    }


def business_cost(y_true: np.ndarray, refused: np.ndarray, fn_cost: float, fp_cost: float) -> float:
    counts = confusion_counts(y_true, refused)
    return float(fn_cost * counts["fn"] + fp_cost * counts["fp"])


def cost_curve(y_true: np.ndarray, proba: np.ndarray, thresholds: np.ndarray, fn_cost: float, fp_cost: float) -> pd.DataFrame:
    """Total and per-applicant cost at every threshold, in one sort (no loop over thresholds)."""
    y_true, proba, thresholds = np.asarray(y_true), np.asarray(proba), np.asarray(thresholds, dtype=float)
    order = np.argsort(proba)
    sorted_proba, sorted_default = proba[order], (y_true[order] == 1)
    below = np.searchsorted(sorted_proba, thresholds, side="left")  # accepted = proba < threshold
    defaults_below = np.concatenate(([0], np.cumsum(sorted_default)))[below]
    good_below = below - defaults_below
    fn = defaults_below
    fp = (~sorted_default).sum() - good_below
    total = fn_cost * fn + fp_cost * fp
    return pd.DataFrame({"threshold": thresholds, "fn": fn, "fp": fp, "cost": total, "cost_per_applicant": total / len(y_true)})


def optimal_threshold(
    y_true: np.ndarray, proba: np.ndarray, thresholds: np.ndarray, fn_cost: float, fp_cost: float
) -> tuple[float, float]:
    """The threshold with the lowest total cost (the lowest such threshold on ties) and that cost."""
    curve = cost_curve(y_true, proba, thresholds, fn_cost, fp_cost)
    best = curve["cost"].idxmin()
    return float(curve.at[best, "threshold"]), float(curve.at[best, "cost"])


def threshold_grid(step: float) -> np.ndarray:
    return np.round(np.arange(step, 1.0, step), 6)
