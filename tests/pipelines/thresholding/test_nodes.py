import numpy as np
import pandas as pd

from pret_a_depenser.pipelines.thresholding.nodes import choose_threshold, threshold_metrics, threshold_plots


def test_threshold_minimises_cost_with_an_interval_around_it():
    rng = np.random.default_rng(0)
    y = (rng.random(2000) < 0.1).astype(int)
    proba = np.clip(0.1 + 0.3 * y + rng.normal(0, 0.1, 2000), 0, 1)
    oof = pd.DataFrame({"SK_ID_CURR": np.arange(2000), "TARGET": y, "FOLD": 0, "PD": proba})
    curve, decision = choose_threshold(
        oof, {"bootstrap_samples": 50, "interval_level": 0.9}, {"fn_cost": 10, "fp_cost": 1, "threshold_step": 0.01}, seed=0
    )
    best = curve.loc[curve["cost"].idxmin()]
    assert decision["threshold"] == best["threshold"] and decision["business_cost"] == best["cost"]
    assert decision["threshold_interval_low"] <= decision["threshold"] <= decision["threshold_interval_high"]
    assert decision["fn"] * 10 + decision["fp"] == decision["business_cost"]
    assert set(threshold_metrics(decision)) >= {"oof_threshold", "oof_business_cost", "oof_fn"}
    assert set(threshold_plots(oof, curve, decision)) == {"cost_curve.png", "roc.png", "precision_recall.png", "calibration.png"}


def test_out_of_fold_scores_are_calibrated_before_the_threshold_is_chosen():
    from pret_a_depenser.pipelines.thresholding.nodes import calibrate_out_of_fold

    rng = np.random.default_rng(3)
    score = rng.uniform(0.02, 0.98, 5000)
    target = (rng.random(score.size) < score / 4).astype(int)  # an over-confident score
    oof = pd.DataFrame({"SK_ID_CURR": np.arange(score.size), "TARGET": target, "FOLD": np.arange(score.size) % 3, "PD": score})
    calibration, calibrated = calibrate_out_of_fold(oof, {"calibration": "isotonic"})
    assert calibration["method"] == "isotonic" and list(calibrated.columns) == ["SK_ID_CURR", "TARGET", "FOLD", "SCORE", "PD"]
    assert (
        np.array_equal(calibrated["SCORE"], score) and abs(calibrated["PD"].mean() - target.mean()) < 1e-9
    )  # isotonic keeps the mean
    _, decision = choose_threshold(
        calibrated,
        {"bootstrap_samples": 20, "interval_level": 0.9},
        {"fn_cost": 10, "fp_cost": 1, "threshold_step": 0.005},
        seed=0,
    )
    assert abs(decision["threshold"] - 1 / 11) < 0.03  # on calibrated PDs the 10:1 cost puts the threshold near 1/11


def test_out_of_fold_predictions_cover_every_applicant_on_the_split_or_their_own_folds():
    from conftest import signal_training_set

    from pret_a_depenser.pipelines.thresholding.nodes import tuned_out_of_fold_predictions

    selected = signal_training_set(240, n_folds=5)
    tuned = {"iterations": 5, "thread_count": 1}
    stopping = {"early_stopping_rounds": 50}
    on_split, final_params = tuned_out_of_fold_predictions(selected, tuned, {"oof_folds": None, **stopping}, seed=0)
    assert on_split["FOLD"].tolist() == selected["FOLD"].tolist() and on_split["PD"].notna().all()
    assert final_params == {"iterations": 6, "thread_count": 1}  # every fold kept its 5 trees; all applicants: x 5/4
    own, _ = tuned_out_of_fold_predictions(selected, tuned, {"oof_folds": 3, **stopping}, seed=0)
    assert sorted(own["FOLD"].unique()) == [0, 1, 2] and own["PD"].notna().all()
    assert own.groupby("FOLD")["TARGET"].mean().std() < 0.02  # stratified: each fold keeps the default rate


def test_the_final_model_grows_the_trees_early_stopping_kept_scaled_to_all_applicants():
    from conftest import signal_training_set

    from pret_a_depenser.modelling.cross_validation import features_target_folds, out_of_fold_predictions
    from pret_a_depenser.modelling.estimators import model_factory
    from pret_a_depenser.pipelines.thresholding.nodes import tuned_out_of_fold_predictions

    selected = signal_training_set(600, n_folds=3)
    tuned = {"iterations": 600, "learning_rate": 0.5, "depth": 2, "thread_count": 1}
    _, stopped = tuned_out_of_fold_predictions(selected, tuned, {"oof_folds": None, "early_stopping_rounds": 5}, seed=0)
    assert 1 <= stopped["iterations"] < 600  # the signal is learnt in a few trees at this learning rate
    features, y, folds = features_target_folds(selected)
    trees = out_of_fold_predictions(model_factory("catboost", tuned, 0), features, y, folds, early_stopping_rounds=5).trees
    assert stopped["iterations"] == round(np.mean(trees) * 3 / 2)  # a fold's model saw 2/3 of the applicants
    assert {key: value for key, value in stopped.items() if key != "iterations"} == {
        key: value for key, value in tuned.items() if key != "iterations"
    }
