import numpy as np
import pandas as pd
import pytest

from pret_a_depenser.pipelines.feature_selection.nodes import selected_training_set
from pret_a_depenser.pipelines.final_model.inference import credit_scoring_model, reason_text
from pret_a_depenser.pipelines.final_model.nodes import evaluate_on_holdout, train_final_model
from pret_a_depenser.pipelines.split.nodes import training_and_holdout_sets

# a fitted spec reduced to what the artefact reads: its version and output columns
FEATURE_SPEC = {
    "version": "test",
    "columns": [{"name": "X", "source": "application"}, {"name": "LABEL", "source": "application"}],
}
REASONS = {"max_reasons": 4, "reason_texts": {"sources": {}, "subsets": {}, "statistics": {}, "measures": {}}}


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    n = 600
    x = rng.normal(size=n)
    true_pd = 1 / (1 + np.exp(-(2 * x - 2)))
    frame = pd.DataFrame(
        {
            "SK_ID_CURR": np.arange(n),
            "TARGET": (rng.random(n) < true_pd).astype(int),
            "X": x,
            "LABEL": pd.Series(rng.choice(["a", None], size=n), dtype="str"),
        }
    )
    split = pd.DataFrame(
        {
            "SK_ID_CURR": frame["SK_ID_CURR"],
            "TARGET": frame["TARGET"],
            "SET": np.where(np.arange(n) < 450, "train", "holdout"),
            "FOLD": np.where(np.arange(n) < 450, np.arange(n) % 3, -1),
        }
    )
    training_set, holdout_set = training_and_holdout_sets(frame, split)
    # LABEL first in the kept features: the model still takes numbers first, then labels
    selected = selected_training_set(training_set, ["LABEL", "X"], ["LABEL"])
    model = train_final_model(selected, ["LABEL"], {"iterations": 50, "depth": 3}, seed=0)
    scoring_model = credit_scoring_model(model, FEATURE_SPEC, ["LABEL", "X"], ["LABEL"], selected, {"threshold": 0.5}, REASONS)
    truth = pd.DataFrame({"SK_ID_CURR": frame["SK_ID_CURR"], "TRUE_PD": true_pd})
    return scoring_model, frame, split, truth, training_set, holdout_set


def test_the_artefact_feeds_the_model_numbers_then_labels_and_knows_the_training_labels(fitted):
    scoring_model, frame, *_ = fitted
    assert scoring_model.features == ["X", "LABEL"] == list(scoring_model.model.feature_names_)
    assert scoring_model.categories == {"LABEL": ["a"]} and scoring_model.threshold == 0.5
    inputs = scoring_model.inputs_from_frame(frame.head(3))
    assert inputs.numbers.dtype == np.float32 and inputs.labels.shape == (3, 1)
    vectors = [
        {"X": float(row.X), "LABEL": row.LABEL if isinstance(row.LABEL, str) else None} for row in frame.head(3).itertuples()
    ]
    assert np.array_equal(
        scoring_model.decide(scoring_model.inputs_from_vectors(vectors)).probabilities, scoring_model.decide(inputs).probabilities
    )
    assert (
        reason_text(
            "INSTAL_RECENT_DPD_MAX",
            {
                "sources": {"INSTAL_": "instalments"},
                "subsets": {"RECENT_": "recent"},
                "statistics": {"_MAX": "highest"},
                "measures": {"DPD": "days past due"},
            },
        )
        == "highest days past due, recent instalments"
    )


BUSINESS = {"fn_cost": 10, "fp_cost": 1, "threshold_step": 0.01}


def test_holdout_evaluation_with_oracle(fitted):
    model, _, split, truth, _, holdout_set = fitted
    metrics, predictions = evaluate_on_holdout(model, holdout_set, BUSINESS, truth)
    assert metrics["n_holdout"] == 150 and len(predictions) == 150
    assert metrics["business_cost"] == 10 * metrics["fn"] + metrics["fp"]
    assert metrics["roc_auc"] > 0.7 and metrics["oracle_roc_auc"] > 0.7
    assert metrics["oracle_business_cost"] <= 10 * metrics["tp"] + 10 * metrics["fn"]  # never worse than accepting everyone
    assert set(predictions["SK_ID_CURR"]) == set(split.loc[split["SET"] == "holdout", "SK_ID_CURR"])


def test_holdout_evaluation_without_truth_has_no_oracle(fitted):
    model, *_, holdout_set = fitted
    metrics, _ = evaluate_on_holdout(model, holdout_set, BUSINESS, pd.DataFrame())
    assert "oracle_roc_auc" not in metrics and "roc_auc" in metrics


def test_the_protected_attribute_effect_refits_with_them_on_the_same_holdout(fitted):
    from pret_a_depenser.pipelines.final_model.nodes import protected_attribute_effect

    scoring_model, frame, split, truth, training_set, holdout_set = fitted
    rng = np.random.default_rng(5)
    with_gender = frame.assign(
        CODE_GENDER=pd.Series(np.where(frame["TARGET"] == 1, "M", rng.choice(["F", "M"], size=len(frame))), dtype="str")
    )
    training_with_gender, holdout_with_gender = training_and_holdout_sets(with_gender, split)
    metrics, _ = evaluate_on_holdout(
        scoring_model, holdout_with_gender, {"fn_cost": 10, "fp_cost": 1, "threshold_step": 0.01}, truth
    )
    business = {"fn_cost": 10, "fp_cost": 1}
    effect = protected_attribute_effect(
        scoring_model,
        metrics,
        training_with_gender,
        holdout_with_gender,
        {"iterations": 50, "depth": 3},
        ["CODE_GENDER", "ABSENT"],
        business,
        0,
    )
    assert effect["protected_attributes"] == ["CODE_GENDER"]
    assert effect["without"] == {"roc_auc": metrics["roc_auc"], "business_cost": metrics["business_cost"]}
    assert effect["with"]["roc_auc"] > effect["without"]["roc_auc"]  # gender leaks the outcome here: the refit uses it
    assert protected_attribute_effect(scoring_model, metrics, training_set, holdout_set, {}, ["CODE_GENDER"], business, 0) == {
        "protected_attributes": [],
        "without": effect["without"],
    }
