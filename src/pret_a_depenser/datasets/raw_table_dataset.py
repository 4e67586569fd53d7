"""One Kaggle Home Credit CSV file as a polars frame typed by the raw data contract.

The file name says which contract table it is (``bureau.csv`` ...). Columns are parsed straight into
the contract's dtypes (Int64, Float64, Categorical labels): no inference pass and no pandas round trip
on tables of tens of millions of rows. A file with a value that does not parse as its column's dtype is
read as text instead, so that validation can name the column and the value rather than the parser
failing on the first bad cell. Saving (the generator) accepts pandas or polars frames and is atomic.
"""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd
import polars as pl
from kedro.io import AbstractDataset, DatasetError

from pret_a_depenser.raw_contract import RAW_TABLES, raw_table_dtypes

from .atomic_file import write_atomically


class RawTableDataset(AbstractDataset[pl.DataFrame | pd.DataFrame, pl.DataFrame]):
    """A local Kaggle-format CSV file, loaded as a polars DataFrame with the contract's dtypes."""

    def __init__(self, *, filepath: str, load_args: dict[str, Any] | None = None, metadata: dict[str, Any] | None = None) -> None:
        self._filepath = PurePosixPath(filepath)
        if self._filepath.name not in RAW_TABLES:
            raise DatasetError(f"{filepath}: not a file of the raw data contract ({', '.join(RAW_TABLES)})")
        self._load_args = deepcopy(load_args) or {}
        self.metadata = metadata

    @property
    def filepath(self) -> str:
        """Where the file is read from (the raw-data hooks compare it with the generator's manifest)."""
        return str(self._filepath)

    def load(self) -> pl.DataFrame:
        path = Path(self._filepath)
        if not path.exists():
            raise DatasetError(f"{path}: file not found")
        header = pl.read_csv(path, n_rows=0).columns
        dtypes = raw_table_dtypes(path.name)
        overrides = {name: dtypes[name] for name in header if name in dtypes}
        try:
            return pl.read_csv(path, schema_overrides=overrides, **self._load_args)
        except pl.exceptions.ComputeError:
            return pl.read_csv(path, infer_schema=False, **self._load_args)

    def save(self, data: pl.DataFrame | pd.DataFrame) -> None:
        frame = data if isinstance(data, pl.DataFrame) else pl.from_pandas(data)
        write_atomically(Path(self._filepath), frame.write_csv)

    def _exists(self) -> bool:
        return Path(self._filepath).is_file()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._filepath), "load_args": self._load_args}
