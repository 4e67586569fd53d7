"""Calibration of the PD: monotone maps fitted on scores, applied with numpy only, and the ECE."""

from __future__ import annotations

import numpy as np
import pytest

from pret_a_depenser.scoring.calibration import calibrate, expected_calibration_error, fit_calibration


@pytest.fixture(scope="module")
def overconfident():
    """Scores of a class-weighted model: weighting the defaults 11 times shifts their log-odds by log(11)."""
    rng = np.random.default_rng(0)
    scores = rng.uniform(0.01, 0.99, 20_000)
    true_pd = 1 / (1 + np.exp(-(np.log(scores / (1 - scores)) - np.log(11))))
    outcomes = (rng.random(scores.size) < true_pd).astype(int)
    return scores, outcomes


@pytest.mark.parametrize("method", ["isotonic", "platt"])
def test_a_calibrated_score_is_a_default_frequency_and_keeps_the_order(overconfident, method):
    scores, outcomes = overconfident
    calibration = fit_calibration(scores, outcomes, method)
    calibrated = calibrate(calibration, scores)
    assert expected_calibration_error(outcomes, scores) > 0.2
    assert expected_calibration_error(outcomes, calibrated) < 0.01
    grid = np.linspace(0, 1, 101)
    assert np.all(np.diff(calibrate(calibration, grid)) >= 0)  # monotone: ranks (and AUC) are kept, up to ties
    assert abs(float(calibrate(calibration, np.array([0.6]))[0]) - 0.12) < 0.02  # 1 / (1 + 11 * 0.4 / 0.6)


def test_none_leaves_the_score_and_an_unknown_method_is_refused(overconfident):
    scores, outcomes = overconfident
    assert np.array_equal(calibrate(fit_calibration(scores, outcomes, "none"), scores), scores)
    assert np.array_equal(calibrate(None, scores), scores)
    with pytest.raises(ValueError, match="calibration method 'beta'"):
        fit_calibration(scores, outcomes, "beta")


def test_the_expected_calibration_error_weighs_quantile_bins_by_size():
    outcomes = np.array([0, 0, 1, 1])
    assert expected_calibration_error(outcomes, np.array([0.0, 0.0, 1.0, 1.0]), bins=2) == 0.0
    assert expected_calibration_error(outcomes, np.array([0.5, 0.5, 0.5, 0.5]), bins=2) == pytest.approx(0.5)
