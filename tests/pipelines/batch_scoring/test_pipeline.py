"""batch_scoring in the small project's default run: a Kaggle submission and decisions for every test
applicant, equal to the final model's own predictions through the calibration (the service's code path,
no skew)."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd

from pret_a_depenser.modelling.estimators import catboost_frame
from pret_a_depenser.scoring.calibration import calibrate


def test_every_test_applicant_is_scored_like_the_final_model_does(finished_project):
    submission = pd.read_csv(finished_project / "data/07_model_output/submission.csv")
    decisions = pd.read_csv(finished_project / "data/07_model_output/batch_decisions.csv")
    kept = json.loads((finished_project / "data/05_model_input/kept_features.json").read_text())
    categorical = json.loads((finished_project / "data/05_model_input/categorical_features.json").read_text())
    test = pd.read_parquet(finished_project / "data/05_model_input/model_input_test.parquet", columns=["SK_ID_CURR", *kept])
    threshold = json.loads((finished_project / "data/06_models/decision_threshold.json").read_text())["threshold"]

    assert list(submission.columns) == ["SK_ID_CURR", "TARGET"] and len(submission) == len(test)
    assert submission["SK_ID_CURR"].tolist() == test["SK_ID_CURR"].tolist()
    with (finished_project / "data/06_models/final_model.pkl").open("rb") as handle:
        final_model = pickle.load(handle)
    calibration = json.loads((finished_project / "data/06_models/pd_calibration.json").read_text())
    expected = calibrate(
        calibration, final_model.predict_proba(catboost_frame(test[list(final_model.feature_names_)], categorical))[:, 1]
    )
    assert np.allclose(submission["TARGET"].to_numpy(), expected, rtol=0, atol=1e-12)
    assert (decisions["decision"] == np.where(decisions["probability_of_default"] >= threshold, "REFUSED", "ACCEPTED")).all()
    assert decisions["model_tag"].str.startswith("credit_scoring:").all() and (decisions["threshold"] == threshold).all()
