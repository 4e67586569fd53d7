"""A pandas CSV dataset that reads with pyarrow and writes with polars, atomically.

pandas' ``to_csv`` writes the full-size Kaggle tables an order of magnitude slower than polars, and a
crash mid-write would leave a truncated CSV that later looks valid; this writes to a temporary file
next to the target and renames it into place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import polars as pl
from kedro_datasets.pandas import CSVDataset

from .atomic_file import write_atomically


class FastCSVDataset(CSVDataset):
    """``pandas.CSVDataset`` with ``engine="pyarrow"`` loading and atomic polars saving (local files)."""

    DEFAULT_LOAD_ARGS: ClassVar[dict[str, Any]] = {"engine": "pyarrow"}
    DEFAULT_SAVE_ARGS: ClassVar[dict[str, Any]] = {}

    def __init__(self, *, missing_ok: bool = False, **kwargs: Any) -> None:
        """``missing_ok``: load an empty table instead of failing when the file does not exist."""
        super().__init__(**kwargs)
        self._missing_ok = missing_ok

    def load(self) -> pd.DataFrame:
        if self._missing_ok and not self._exists():
            return pd.DataFrame()
        return super().load()

    @property
    def filepath(self) -> str:
        """Where the file is read from (the raw-data hooks compare it with the generator's manifest)."""
        return str(self._get_load_path())

    def save(self, data: pd.DataFrame) -> None:
        if self._protocol != "file":
            return super().save(data)
        write_atomically(Path(self._get_save_path()), lambda path: pl.from_pandas(data).write_csv(path, **self._save_args))
        self._invalidate_cache()
