import numpy as np

from pret_a_depenser.tracking import mlflow_metrics


def test_metrics_are_floats_at_step_zero_under_their_prefix():
    metrics = mlflow_metrics({"roc_auc": np.float32(0.75), "count": 3}, "holdout_")
    assert metrics == {"holdout_roc_auc": {"value": 0.75, "step": 0}, "holdout_count": {"value": 3.0, "step": 0}}
    assert all(type(entry["value"]) is float for entry in metrics.values())
