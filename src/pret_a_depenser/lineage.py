"""Content digests of data tables, so a model version traces to the exact data it was trained on.

A digest covers the column names and dtypes and every row's values (polars' row hashes with fixed seeds,
summed, so it does not depend on the row order or on the number of threads); with the row and column
counts it is what runs log as their MLflow inputs.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import polars as pl

SEED = 0


def table_digest(frame: pl.DataFrame | pd.DataFrame) -> dict[str, int | str]:
    """Rows, columns and a 16-hex-digit content digest of one table."""
    if isinstance(frame, pd.DataFrame):
        frame = pl.from_pandas(frame)
    rows = frame.height
    total = int(np.sum(frame.hash_rows(seed=SEED).to_numpy(), dtype=np.uint64)) if rows else 0  # wraps: order-free
    schema = ";".join(f"{name}:{dtype}" for name, dtype in frame.schema.items())
    digest = hashlib.sha256(f"{schema}|{rows}|{total}".encode()).hexdigest()[:16]
    return {"rows": rows, "columns": frame.width, "digest": digest}
