import numpy as np
import pandas as pd

from pret_a_depenser.pipelines.thresholding.nodes import choose_threshold, threshold_metrics, threshold_plots


def test_threshold_minimises_cost_with_an_interval_around_it():
    rng = np.random.default_rng(0)
    y = (rng.random(2000) < 0.1).astype(int)
    proba = np.clip(0.1 + 0.3 * y + rng.normal(0, 0.1, 2000), 0, 1)
    oof = pd.DataFrame({"SK_ID_CURR": np.arange(2000), "TARGET": y, "FOLD": 0, "PD": proba})
    curve, decision = choose_threshold(oof, {"seed": 0, "bootstrap_samples": 50, "interval_level": 0.9}, {"fn_cost": 10, "fp_cost": 1, "threshold_step": 0.01})
    best = curve.loc[curve["cost"].idxmin()]
    assert decision["threshold"] == best["threshold"] and decision["business_cost"] == best["cost"]
    assert decision["threshold_interval_low"] <= decision["threshold"] <= decision["threshold_interval_high"]
    assert decision["fn"] * 10 + decision["fp"] == decision["business_cost"]
    assert set(threshold_metrics(decision)) >= {"oof_threshold", "oof_business_cost", "oof_fn"}
    assert set(threshold_plots(oof, curve, decision)) == {"cost_curve.png", "roc.png", "precision_recall.png", "calibration.png"}
