"""FastCSVDataset: Kaggle-style CSV round trip, atomic writes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from kedro.io import DatasetError

from pret_a_depenser.datasets import FastCSVDataset


def test_round_trip_keeps_values_missing_cells_and_labels(tmp_path):
    frame = pd.DataFrame(
        {
            "SK_ID_CURR": [100002, 100003],
            "AMT_CREDIT": [406597.5, np.nan],
            "CODE_GENDER": pd.Categorical(["M", None], categories=["F", "M", "XNA"]),
        }
    )
    dataset = FastCSVDataset(filepath=str(tmp_path / "application_train.csv"))
    dataset.save(frame)
    assert (tmp_path / "application_train.csv").read_text().splitlines() == [
        "SK_ID_CURR,AMT_CREDIT,CODE_GENDER",
        "100002,406597.5,M",
        "100003,,",
    ]
    loaded = dataset.load()
    assert loaded["SK_ID_CURR"].tolist() == [100002, 100003]
    assert loaded["AMT_CREDIT"].iloc[0] == 406597.5 and np.isnan(loaded["AMT_CREDIT"].iloc[1])
    assert loaded["CODE_GENDER"].iloc[0] == "M" and pd.isna(loaded["CODE_GENDER"].iloc[1])
    assert dataset.exists() and dataset.filepath.endswith("application_train.csv")


def test_failed_save_leaves_the_previous_file_and_no_partial_file(tmp_path):
    dataset = FastCSVDataset(filepath=str(tmp_path / "bureau.csv"))
    dataset.save(pd.DataFrame({"SK_ID_BUREAU": [1]}))
    with pytest.raises(DatasetError, match=r"bureau\.csv"):
        dataset.save(pd.DataFrame({"bad": [object()]}))  # polars cannot convert this column
    assert (tmp_path / "bureau.csv").read_text() == "SK_ID_BUREAU\n1\n"
    assert [path.name for path in tmp_path.iterdir()] == ["bureau.csv"]


def test_unreadable_file_names_the_file(tmp_path):
    path = tmp_path / "bureau_balance.csv"
    path.write_text("SK_ID_BUREAU,MONTHS_BALANCE,STATUS\n1,0\n2,-1,C,extra\n")
    with pytest.raises(Exception, match="bureau_balance.csv"):
        FastCSVDataset(filepath=str(path)).load()
