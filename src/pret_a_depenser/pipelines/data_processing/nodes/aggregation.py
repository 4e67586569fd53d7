"""Per-applicant aggregation expressions shared by every secondary table.

Naming scheme of the features they produce (documented in the README):
``{PREFIX}_{COLUMN}_{STAT}`` for numeric statistics (STAT in MIN, MAX, MEAN, SUM, VAR),
``{PREFIX}_{COLUMN}_{LEVEL}_SHARE`` for the share of rows in a category level, ``{PREFIX}_COUNT`` for
row counts; PREFIX names the source table and, when the rows are a subset, the subset
(``BUREAU_ACTIVE``, ``PREV_REFUSED``, ``INSTAL_LAST12M``, ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import polars as pl

STATISTICS = {
    "min": lambda e: e.min(),
    "max": lambda e: e.max(),
    "mean": lambda e: e.mean(),
    "sum": lambda e: e.sum(),
    "var": lambda e: e.var(),
}


def feature_level_name(level: str) -> str:
    """A category level as a feature-name fragment: upper case, runs of other characters become ``_``."""
    return re.sub(r"[^A-Z0-9]+", "_", str(level).upper()).strip("_") or "EMPTY"


def numeric_columns(frame: pl.DataFrame, exclude: Iterable[str] = ()) -> list[str]:
    excluded = set(exclude)
    return [name for name, dtype in frame.schema.items() if dtype.is_numeric() and name not in excluded]


def string_columns(frame: pl.DataFrame) -> list[str]:
    return [name for name, dtype in frame.schema.items() if dtype in (pl.String, pl.Categorical, pl.Enum)]


def numeric_statistics(columns: Sequence[str], statistics: Sequence[str], prefix: str, rows: pl.Expr | None = None) -> list[pl.Expr]:
    """min/max/mean/sum/var of each column, over all rows or only those where ``rows`` is true."""
    expressions = []
    for column in columns:
        values = pl.col(column) if rows is None else pl.col(column).filter(rows)
        for statistic in statistics:
            expressions.append(STATISTICS[statistic](values).alias(f"{prefix}_{column}_{statistic.upper()}"))
    return expressions


def row_count(prefix: str, rows: pl.Expr | None = None) -> pl.Expr:
    count = pl.len() if rows is None else rows.sum()
    return count.cast(pl.Int64).alias(f"{prefix}_COUNT")


def statistics_by_subset(columns: Sequence[str], statistics: Sequence[str], subsets: dict[str, pl.Expr | None]) -> list[pl.Expr]:
    """Row count and statistics of the columns for each named subset of rows (``None``: all rows)."""
    return [
        expression
        for prefix, rows in subsets.items()
        for expression in (row_count(prefix, rows), *numeric_statistics(columns, statistics, prefix, rows))
    ]


def category_levels(frame: pl.DataFrame, column: str, max_levels: int) -> list[str]:
    """The column's most frequent levels (at most ``max_levels``), sorted so feature order is stable."""
    counts = frame.get_column(column).drop_nulls().cast(pl.String).value_counts(sort=True)
    return sorted(counts.get_column(column).head(max_levels).to_list())


def category_shares(frame: pl.DataFrame, columns: Sequence[str], prefix: str, max_levels: int) -> list[pl.Expr]:
    """Share of each applicant's rows in each level (one-hot mean); missing labels count as no level."""
    expressions = []
    for column in columns:
        for level in category_levels(frame, column, max_levels):
            is_level = (pl.col(column).cast(pl.String) == level).fill_null(False)
            expressions.append(is_level.mean().alias(f"{prefix}_{column}_{feature_level_name(level)}_SHARE"))
    return expressions


def aggregate_by_applicant(frame: pl.DataFrame, expressions: list[pl.Expr], key: str = "SK_ID_CURR") -> pl.DataFrame:
    """One row per key; statistics and shares as float32 (half the memory at Kaggle scale), counts as integers.

    Sums beyond float32's range would become infinite: they are stored as missing instead.
    """
    aggregated = frame.group_by(key).agg(expressions).sort(key)
    statistics = [name for name, dtype in aggregated.schema.items() if name != key and not name.endswith("_COUNT") and dtype.is_numeric()]
    return aggregated.with_columns(
        pl.when(pl.col(name).cast(pl.Float32).is_infinite()).then(None).otherwise(pl.col(name).cast(pl.Float32)).alias(name)
        for name in statistics
    )
