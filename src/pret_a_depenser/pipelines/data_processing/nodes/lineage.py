"""The raw tables' digests: what this run's model input was built from."""

from __future__ import annotations

from typing import Any

import polars as pl

from pret_a_depenser.lineage import table_digest


def raw_data_lineage(**tables: pl.DataFrame) -> dict[str, dict[str, Any]]:
    """Rows, columns and content digest of each validated raw table, by table name."""
    return {name: table_digest(frame) for name, frame in tables.items()}
