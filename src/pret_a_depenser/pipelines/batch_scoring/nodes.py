"""Nodes of the batch_scoring pipeline: the service's CreditScorer over a whole feature table."""

from __future__ import annotations

from typing import Any

import pandas as pd


def score_applicants(credit_scoring_model: dict[str, Any], applicants: pd.DataFrame, parameters: dict[str, Any]) -> pd.DataFrame:
    """PD and decision per applicant, through the same rows -> CatBoost path as ``POST /predict``."""
    scorer = credit_scoring_model["scorer"]
    missing = [name for name in scorer.feature_names if name not in applicants.columns]
    if missing:
        raise ValueError(f"model_input_test lacks {len(missing)} of the model's features, e.g. {missing[:5]}: rebuild it with data_processing")
    chunk = int(parameters["chunk_size"])
    results = []
    for start in range(0, len(applicants), chunk):
        results += scorer.score_rows(scorer.frame_rows(applicants.iloc[start : start + chunk]))
    decisions = pd.DataFrame(results)
    decisions.insert(0, "SK_ID_CURR", applicants["SK_ID_CURR"].to_numpy())
    decisions["unseen_categories"] = decisions["unseen_categories"].map(";".join)
    return decisions


def kaggle_submission(batch_decisions: pd.DataFrame) -> pd.DataFrame:
    """``SK_ID_CURR,TARGET`` with the probability of default, as the competition expects."""
    return pd.DataFrame({"SK_ID_CURR": batch_decisions["SK_ID_CURR"], "TARGET": batch_decisions["probability_of_default"]})
