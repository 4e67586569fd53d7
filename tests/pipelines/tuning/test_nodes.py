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
