import optuna
import pandas as pd

from pret_a_depenser.pipelines.tuning.nodes import suggest_hyperparameters, trials_table, tuning_metrics


def test_search_space_from_parameters_and_trials_table():
    space = {
        "depth": {"type": "int", "low": 4, "high": 6},
        "learning_rate": {"type": "float", "low": 0.01, "high": 0.1, "log": True},
        "grow_policy": {"type": "categorical", "choices": ["SymmetricTree", "Depthwise"]},
    }
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))

    def objective(trial):
        params = suggest_hyperparameters(trial, space)
        assert 4 <= params["depth"] <= 6 and 0.01 <= params["learning_rate"] <= 0.1
        trial.set_user_attr("roc_auc", 0.7)
        return params["depth"] / 10

    study.optimize(objective, n_trials=3)
    table = trials_table(study)
    assert list(table["trial"]) == ["trial_000", "trial_001", "trial_002"]
    assert {"state", "business_cost_per_applicant", "roc_auc", "param_depth", "param_grow_policy"} <= set(table.columns)
    metrics = tuning_metrics(table)
    assert metrics["best_business_cost_per_applicant"]["value"] == table["business_cost_per_applicant"].min()
    assert metrics["trials_complete"]["value"] == 3.0


def test_tuning_metrics_ignore_pruned_trials():
    table = pd.DataFrame({"state": ["PRUNED", "COMPLETE"], "business_cost_per_applicant": [0.1, 0.5], "roc_auc": [0.9, 0.7]})
    metrics = tuning_metrics(table)
    assert metrics["best_business_cost_per_applicant"]["value"] == 0.5 and metrics["trials_pruned"]["value"] == 1.0


def test_a_trial_running_when_the_budget_passes_stops_at_its_next_fold(monkeypatch):
    from conftest import signal_training_set

    from pret_a_depenser.pipelines.tuning import nodes

    training_set = signal_training_set(300, n_folds=4)
    clock = iter(range(0, 1000, 10))  # every reading of the clock is 10 s after the last one
    monkeypatch.setattr(nodes.time, "monotonic", lambda: next(clock))
    parameters = {
        "study_name": "budget",
        "storage": None,
        "n_trials": 5,
        "timeout": 25,
        "sample_size": 1000,
        "validation_folds": 3,
        "pruner_startup_trials": 10,
        "progress": False,
        "early_stopping_rounds": 50,
        "fixed": {"iterations": 5, "thread_count": 1},
        "search_space": {"depth": {"type": "int", "low": 2, "high": 3}},
    }
    business = {"fn_cost": 10, "fp_cost": 1, "threshold_step": 0.05}
    best, trials = nodes.tune_catboost(training_set, parameters, business, seed=0)
    # trial 0 reads the clock at 10, 20, 30 s: past the 25 s budget only at its last fold, so it completes;
    # trial 1 is past it after its first fold (40 s) and stops there, and no trial starts after it
    assert list(trials["state"]) == ["COMPLETE", "PRUNED"]
    assert trials["stopped_by_budget"].tolist()[1] is True
    assert best["iterations"] == 5 and "depth" in best
    assert 1 <= trials["trees"].iloc[0] <= 5  # the trees the trial's early-stopped folds kept
