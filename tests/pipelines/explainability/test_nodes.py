import numpy as np
import pandas as pd

from pret_a_depenser.modelling.estimators import catboost_frame
from pret_a_depenser.pipelines.explainability.nodes import explain_holdout_sample, global_importance, local_waterfalls
from pret_a_depenser.pipelines.feature_selection.nodes import selected_training_set
from pret_a_depenser.pipelines.final_model.inference import credit_scoring_model
from pret_a_depenser.pipelines.final_model.nodes import train_final_model
from pret_a_depenser.pipelines.split.nodes import training_and_holdout_sets

# a fitted spec reduced to what the artefact reads: its version and output columns
FEATURE_SPEC = {
    "version": "test",
    "columns": [
        {"name": "X", "source": "application"},
        {"name": "Z", "source": "application"},
        {"name": "LABEL", "source": "application"},
    ],
}
REASONS = {"max_reasons": 4, "reason_texts": {"sources": {}, "subsets": {}, "statistics": {}, "measures": {}}}


def test_shap_contributions_add_up_to_the_raw_score_and_waterfalls_cover_both_decisions():
    rng = np.random.default_rng(1)
    n = 500
    x = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "SK_ID_CURR": np.arange(n),
            "TARGET": (rng.random(n) < 1 / (1 + np.exp(-(2 * x - 1)))).astype(int),
            "X": x,
            "Z": rng.normal(size=n),
            "LABEL": pd.Series(rng.choice(["a", "b", None], size=n), dtype="str"),
        }
    )
    split = pd.DataFrame(
        {
            "SK_ID_CURR": frame["SK_ID_CURR"],
            "TARGET": frame["TARGET"],
            "SET": np.where(np.arange(n) < 400, "train", "holdout"),
            "FOLD": 0,
        }
    )
    features, categorical = ["X", "Z", "LABEL"], ["LABEL"]
    training_set, holdout_set = training_and_holdout_sets(frame, split)
    selected = selected_training_set(training_set, features, categorical)
    model = train_final_model(selected, categorical, {"iterations": 60, "depth": 3}, seed=0)
    scoring_model = credit_scoring_model(model, FEATURE_SPEC, features, categorical, selected, {"threshold": 0.5}, REASONS)
    explanation = explain_holdout_sample(scoring_model, holdout_set, {"sample_size": 50}, seed=0)
    rows = frame.set_index("SK_ID_CURR").loc[explanation.ids, scoring_model.features]
    raw = model.predict(catboost_frame(rows, categorical), prediction_type="RawFormulaVal")
    np.testing.assert_allclose(explanation.base_values + explanation.values.sum(axis=1), raw, atol=1e-6)
    assert global_importance(explanation).iloc[0]["feature"] == "X"
    figures = local_waterfalls(explanation, scoring_model, {"local_examples_per_decision": 1})
    assert any(name.startswith("waterfall_refused_") for name in figures) and any(
        name.startswith("waterfall_accepted_") for name in figures
    )
