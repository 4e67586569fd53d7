"""Nodes of the split pipeline: who is held out, who is in which fold, and their rows."""

from __future__ import annotations

from typing import Any

import pandas as pd

from pret_a_depenser.constants import APPLICANT_KEY, TARGET
from pret_a_depenser.modelling.cross_validation import SPLIT_COLUMNS, holdout_and_folds

ID_COLUMNS = [APPLICANT_KEY, TARGET]


def split_holdout(model_input_train: pd.DataFrame, parameters: dict[str, Any], seed: int) -> pd.DataFrame:
    """The one seeded, stratified holdout (never seen before the final evaluation) and the CV folds."""
    return holdout_and_folds(
        model_input_train[ID_COLUMNS], holdout_share=parameters["holdout_share"], n_folds=parameters["n_folds"], seed=seed
    )


def training_and_holdout_sets(model_input_train: pd.DataFrame, holdout_split: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``training_set``: key, ``TARGET``, ``FOLD`` and every feature of the non-holdout applicants;
    ``holdout_set``: key, ``TARGET`` and every feature of the holdout; both in the split's order."""
    features = model_input_train.drop(columns=TARGET).set_index(APPLICANT_KEY)

    def rows_of(subset: str, keys: list[str]) -> pd.DataFrame:
        chosen = holdout_split.loc[holdout_split["SET"] == subset, keys].reset_index(drop=True)
        return pd.concat([chosen, features.loc[chosen[APPLICANT_KEY]].reset_index(drop=True)], axis=1)

    # the training set's leading columns are the ones features_target_folds takes off
    return rows_of("train", SPLIT_COLUMNS), rows_of("holdout", ID_COLUMNS)
