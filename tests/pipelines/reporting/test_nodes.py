import pandas as pd

from pret_a_depenser.pipelines.reporting.nodes import results_report

FINAL = {
    "roc_auc": 0.8,
    "business_cost": 100.0,
    "business_cost_per_applicant": 0.5,
    "n_holdout": 200,
    "default_rate": 0.08,
    "refusal_rate": 0.3,
    "tn": 130,
    "fp": 50,
    "fn": 5,
    "tp": 15,
    "brier_score": 0.06,
    "brier_score_uncalibrated": 0.16,
    "expected_calibration_error": 0.01,
    "expected_calibration_error_uncalibrated": 0.28,
}
THRESHOLD = {"threshold": 0.085, "interval_level": 0.9, "threshold_interval_low": 0.075, "threshold_interval_high": 0.09}
BENCHMARK = pd.DataFrame(
    {
        "model": ["catboost", "mlp"],
        "roc_auc": [0.75, 0.7],
        "business_cost_per_applicant": [0.5, 0.6],
        "business_cost_at_0_5_per_applicant": [0.7, 0.8],
        "fit_seconds": [3.0, 9.5],
    }
)
TRIALS = pd.DataFrame(
    {
        "trial": ["trial_000", "trial_001", "trial_002"],
        "state": ["COMPLETE", "COMPLETE", "PRUNED"],
        "business_cost_per_applicant": [0.52, 0.48, None],
        "roc_auc": [0.75, 0.78, None],
    }
)
FAIRNESS = pd.DataFrame(
    {
        "attribute": ["CODE_GENDER", "CODE_GENDER"],
        "group": ["F", "M"],
        "n": [120.0, 80.0],
        "approval_rate": [0.7, 0.65],
        "approval_rate_ratio_to_best": [1.0, 0.93],
    }
)
LINEAGE = {"application_train": {"rows": 800}, "application_test": {"rows": 200}, "bureau": {"rows": 5000}}
EFFECT = {
    "protected_attributes": ["CODE_GENDER"],
    "without": {"roc_auc": 0.8, "business_cost": 100.0},
    "with": {"roc_auc": 0.81, "business_cost": 98.0},
}


def _report(final=FINAL, promotion=None):
    promotion = promotion or {"promote": True, "reasons": []}
    return results_report(
        final, THRESHOLD, BENCHMARK, TRIALS, ["A", "B"], FAIRNESS, EFFECT, promotion, LINEAGE, {"fn_cost": 10, "fp_cost": 1}
    )


def test_the_report_quotes_the_runs_own_figures():
    report = _report()
    assert "1,000 applicants (800 with a known outcome), bureau 5,000 rows." in report
    assert "| catboost | 0.7500 | 0.5000 | 0.7000 | 3.0 |" in report
    assert "2 complete trials of 3; best cross-validated cost per applicant 0.4800 (ROC AUC 0.7800, trial_001)" in report
    assert "Threshold on the calibrated PD: 0.085, 90% bootstrap interval [0.075, 0.090]" in report
    assert "| ROC AUC | 0.8000 |" in report and "| TN / FP / FN / TP | 130 / 50 / 5 / 15 |" in report
    assert "| CODE_GENDER | M | 80 | 0.650 | 0.930 |" in report
    assert "With them the holdout ROC AUC would be 0.8100 and the cost 98" in report
    assert "oracle" not in report and "promoted to champion" in report


def test_the_oracle_and_a_held_back_version_are_reported_when_present():
    final = {
        **FINAL,
        "oracle_roc_auc": 0.84,
        "roc_auc_vs_oracle": 0.952,
        "oracle_business_cost": 90.0,
        "business_cost_vs_oracle": 1.111,
    }
    report = _report(final, {"promote": False, "reasons": ["holdout ROC AUC is below the champion's"]})
    assert "| oracle ROC AUC (generator's true PD) | 0.8400 (model / oracle 0.952) |" in report
    assert "registered as challenger: holdout ROC AUC is below the champion's" in report
