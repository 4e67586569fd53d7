"""The parquet feature tables: pandas frames written in row slices read back exactly as one write."""

import numpy as np
import pandas as pd
import polars as pl
import pytest

from pret_a_depenser.datasets import parquet_frame_dataset
from pret_a_depenser.datasets.parquet_frame_dataset import ParquetFrameDataset


def _frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    values = rng.normal(size=rows).astype(np.float32)
    values[::7] = np.nan
    return pd.DataFrame(
        {
            "SK_ID_CURR": np.arange(rows, dtype=np.int64),
            "TARGET": (np.arange(rows) % 3 == 0).astype(np.int8),
            "EXT_SOURCE_2": values,
            "NAME_CONTRACT_TYPE": [None if row % 5 == 0 else f"type {row % 4}" for row in range(rows)],
            "ONLY_MISSING": [None] * rows,
        }
    )


@pytest.mark.parametrize("cells_per_write", [3, 7, 10_000])
def test_a_pandas_frame_written_in_slices_reads_back_unchanged(tmp_path, monkeypatch, cells_per_write):
    monkeypatch.setattr(parquet_frame_dataset, "PANDAS_CELLS_PER_WRITE", cells_per_write)
    frame = _frame(23)
    dataset = ParquetFrameDataset(filepath=str(tmp_path / "table.parquet"))
    dataset.save(frame)
    pd.testing.assert_frame_equal(dataset.load(), frame)
    assert dataset.load_columns(["EXT_SOURCE_2"]).columns.tolist() == ["EXT_SOURCE_2"]
    polars = ParquetFrameDataset(filepath=str(tmp_path / "table.parquet"), backend="polars").load()
    assert polars.height == 23 and polars["NAME_CONTRACT_TYPE"].null_count() == 5


def test_an_empty_pandas_frame_keeps_its_columns(tmp_path):
    dataset = ParquetFrameDataset(filepath=str(tmp_path / "empty.parquet"))
    dataset.save(_frame(0))
    assert dataset.load().columns.tolist() == _frame(0).columns.tolist() and len(dataset.load()) == 0


def test_a_polars_frame_is_written_as_it_is(tmp_path):
    dataset = ParquetFrameDataset(filepath=str(tmp_path / "table.parquet"), backend="polars")
    frame = pl.from_pandas(_frame(9))
    dataset.save(frame)
    assert dataset.load().equals(frame)
