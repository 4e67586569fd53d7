"""Calibration of the probability of default: a monotone map from the model's score to a
default frequency, fitted on out-of-fold predictions and stored as plain JSON in the artefact.

``isotonic`` (scikit-learn's isotonic regression, applied as its piecewise-linear interpolation, which is
what ``IsotonicRegression.predict`` computes) or ``platt`` (a logistic regression on the score's
log-odds); ``none`` leaves the score as it is. Serving needs only numpy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

METHODS = ("isotonic", "platt", "none")
EPSILON = 1e-12


def fit_calibration(scores: np.ndarray, outcomes: np.ndarray, method: str) -> dict[str, Any]:
    """The calibration map of ``method`` fitted on (score, 0/1 outcome) pairs, as JSON-ready values."""
    if method not in METHODS:
        raise ValueError(f"calibration method {method!r}: expected one of {', '.join(METHODS)}")
    scores, outcomes = np.asarray(scores, dtype=float), np.asarray(outcomes, dtype=float)
    if method == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        isotonic = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(scores, outcomes)
        return {"method": method, "scores": isotonic.X_thresholds_.tolist(), "probabilities": isotonic.y_thresholds_.tolist()}
    if method == "platt":
        from sklearn.linear_model import LogisticRegression

        platt = LogisticRegression(C=1e6).fit(_log_odds(scores).reshape(-1, 1), outcomes)
        return {"method": method, "slope": float(platt.coef_[0, 0]), "intercept": float(platt.intercept_[0])}
    return {"method": "none"}


def calibrate(calibration: dict[str, Any] | None, scores: np.ndarray) -> np.ndarray:
    """Calibrated probabilities of the scores (the scores themselves without a calibration)."""
    scores = np.asarray(scores, dtype=float)
    method = (calibration or {}).get("method", "none")
    if method == "isotonic":
        return np.interp(scores, calibration["scores"], calibration["probabilities"])
    if method == "platt":
        return 1.0 / (1.0 + np.exp(-(calibration["slope"] * _log_odds(scores) + calibration["intercept"])))
    return scores


def expected_calibration_error(outcomes: np.ndarray, probabilities: np.ndarray, bins: int = 10) -> float:
    """Mean |observed default rate - mean probability| over ``bins`` quantile bins of the probability,
    weighted by the bins' sizes."""
    outcomes, probabilities = np.asarray(outcomes, dtype=float), np.asarray(probabilities, dtype=float)
    order = np.argsort(probabilities, kind="stable")
    error = 0.0
    for part in np.array_split(order, bins):
        if len(part):
            error += len(part) * abs(outcomes[part].mean() - probabilities[part].mean())
    return float(error / len(outcomes))


def _log_odds(scores: np.ndarray) -> np.ndarray:
    clipped = np.clip(scores, EPSILON, 1 - EPSILON)
    return np.log(clipped / (1 - clipped))
