import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from pret_a_depenser.pipelines.benchmarking.nodes import benchmark_chart, best_benchmark_metrics, evaluate_predictions


def test_evaluate_predictions_reports_cost_at_best_threshold_and_at_half():
    y = np.array([1, 0, 0, 0])
    proba = np.array([0.3, 0.1, 0.2, 0.6])
    evaluation = evaluate_predictions(y, proba, {"fn_cost": 10, "fp_cost": 1}, 0.05)
    assert evaluation["business_cost_at_0_5"] == 11.0  # misses the default (10) and refuses 0.6 (1)
    assert evaluation["business_cost"] == 1.0 and evaluation["best_threshold"] == 0.25  # refuse 0.3 and 0.6 only
    assert evaluation["roc_auc"] == pytest.approx(2 / 3)


def test_chart_and_parent_metrics_cover_every_model():
    results = pd.DataFrame(
        {
            "model": ["a", "b"],
            "roc_auc": [0.7, 0.6],
            "business_cost_per_applicant": [0.5, 0.6],
            "business_cost_at_0_5_per_applicant": [0.7, 0.8],
        }
    )
    assert isinstance(benchmark_chart(results), plt.Figure)
    metrics = best_benchmark_metrics(results)
    assert metrics["a_roc_auc"] == {"value": 0.7, "step": 0} and len(metrics) == 4
