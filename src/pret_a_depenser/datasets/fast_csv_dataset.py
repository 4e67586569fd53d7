"""A pandas CSV dataset that reads with pyarrow and writes with polars, atomically.

pandas' ``to_csv`` writes the full-size Kaggle tables an order of magnitude slower than polars, and a
crash mid-write would leave a truncated CSV that later looks valid; this writes to a temporary file
next to the target and renames it into place.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import polars as pl
from kedro_datasets.pandas import CSVDataset


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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
        target = Path(self._get_save_path())
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        os.close(handle)
        try:
            pl.from_pandas(data).write_csv(temporary, **self._save_args)
            os.chmod(temporary, 0o666 & ~_current_umask())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self._invalidate_cache()
