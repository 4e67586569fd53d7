"""Nodes of the batch_scoring pipeline: the served model's inference artefact over a whole feature table."""

from __future__ import annotations

from typing import Any

import pandas as pd

from pret_a_depenser.scoring import CreditScoringModel


def score_applicants(
    credit_scoring_model: CreditScoringModel | None, applicants: pd.DataFrame, parameters: dict[str, Any]
) -> pd.DataFrame:
    """PD and decision per applicant, by the artefact ``POST /predict`` answers with, in chunks."""
    if credit_scoring_model is None:
        raise ValueError("no registered credit_scoring version holds the champion alias yet: run `kedro run` first")
    chunk = parameters["chunk_size"]
    parts = [
        credit_scoring_model.score_table(credit_scoring_model.inputs_from_frame(applicants.iloc[start : start + chunk]))
        for start in range(0, len(applicants), chunk)
    ]
    return (
        pd.concat(parts, ignore_index=True)
        if parts
        else credit_scoring_model.score_table(credit_scoring_model.inputs_from_frame(applicants))
    )


def kaggle_submission(batch_decisions: pd.DataFrame) -> pd.DataFrame:
    """``SK_ID_CURR,TARGET`` with the probability of default, as the competition expects."""
    return pd.DataFrame({"SK_ID_CURR": batch_decisions["SK_ID_CURR"], "TARGET": batch_decisions["probability_of_default"]})
