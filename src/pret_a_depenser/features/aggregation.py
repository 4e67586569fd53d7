"""Per-applicant aggregation shared by every secondary table.

Naming scheme of the features it produces (documented in the README):
``{PREFIX}_{COLUMN}_{STAT}`` for numeric statistics (STAT in MIN, MAX, MEAN, SUM, VAR),
``{PREFIX}_{COLUMN}_{LEVEL}_SHARE`` for the share of rows in a category level, ``{PREFIX}_COUNT`` for
row counts; PREFIX names the source table and, when the rows are a subset, the subset
(``BUREAU_ACTIVE``, ``PREV_REFUSED``, ``INSTAL_RECENT``, ...).

Reproducibility: every table is sorted into a canonical row order (applicant, then the record's own
keys) and each applicant's rows are reduced in that order by one compiled kernel (``kernels.py``), so
one applicant alone and the same applicant in a batch of 356,255 get bit-identical features, run after
run. Subsets are boolean masks over the same sorted rows: filtered once, never copied.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from .kernels import segment_statistics

APPLICANT_KEY = "SK_ID_CURR"
LABEL_DTYPES = (pl.String, pl.Categorical)


def feature_level_name(level: str) -> str:
    """A category level as a feature-name fragment: upper case, runs of other characters become ``_``."""
    return re.sub(r"[^A-Z0-9]+", "_", str(level).upper()).strip("_") or "EMPTY"


def numeric_columns(schema: pl.Schema, exclude: Sequence[str] = ()) -> list[str]:
    """The schema's numeric columns in order (a definition of the table, not of its data)."""
    return [name for name, dtype in schema.items() if dtype.is_numeric() and name not in exclude]


def is_label(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, pl.Categorical)


def group_bounds(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boundaries of the runs of equal values of a sorted key (run ``g`` is ``bounds[g]:bounds[g + 1]``) and their keys."""
    starts = np.flatnonzero(keys[1:] != keys[:-1]) + 1 if len(keys) else np.empty(0, dtype=np.int64)
    bounds = np.concatenate(([0], starts, [len(keys)])).astype(np.int64) if len(keys) else np.zeros(1, dtype=np.int64)
    return bounds, keys[bounds[:-1]]


def label_lookup(labels: pl.Series, mapping: Mapping[str, int], default: int = -1) -> np.ndarray:
    """``mapping[label]`` for every row as int32; ``default`` for a missing or unmapped label.

    Categorical labels are mapped through their physical codes (one lookup per distinct label, not one
    string comparison per row: bureau_balance has 27 M rows).
    """
    if isinstance(labels.dtype, pl.Categorical):
        distinct = labels.drop_nulls().unique()
        codes = distinct.to_physical().to_numpy().astype(np.int64)
        table = np.full(int(codes.max()) + 2 if len(codes) else 1, default, dtype=np.int32)
        table[codes] = [mapping.get(label, default) for label in distinct.cast(pl.String).to_list()]
        physical = labels.to_physical().fill_null(len(table) - 1).to_numpy().astype(np.int64)
        return table[physical]
    strings = labels.cast(pl.String)
    return strings.replace_strict(list(mapping), list(mapping.values()), default=default, return_dtype=pl.Int32).to_numpy()


def level_shares(labels: pl.Series, levels: list[str], group_of_row: np.ndarray, lengths: np.ndarray, dtype: type = np.float32) -> np.ndarray:
    """(levels, groups) share of each group's rows in each level: counts divided by rows, exact in any order."""
    codes = label_lookup(labels, {level: index for index, level in enumerate(levels)})
    kept = codes >= 0
    counts = np.bincount(group_of_row[kept] * len(levels) + codes[kept], minlength=len(lengths) * len(levels))
    return (counts.reshape(len(lengths), len(levels)) / lengths[:, None]).T.astype(dtype)


def float_features(values: np.ndarray, names: list[str]) -> pl.DataFrame:
    """A frame from a (features, applicants) Float32 array; NaN becomes missing."""
    if not names:
        return pl.DataFrame()
    if values.shape[1] == 0:
        return pl.DataFrame(schema=dict.fromkeys(names, pl.Float32))
    return pl.from_numpy(values.T, schema=names, orient="row").fill_nan(None)  # .T: no ambiguity when there is one feature or one applicant


def aggregate_by_applicant(
    rows: pl.DataFrame,
    columns: Sequence[str],
    statistics: Sequence[str],
    subsets: Mapping[str, pl.Expr | None],
    shares: Mapping[str, list[str]] | None = None,
    counted: Mapping[str, pl.Expr] | None = None,
) -> pl.DataFrame:
    """Per applicant: row count and statistics of ``columns`` for each subset of ``rows``.

    ``rows`` must be sorted by applicant (canonical order). The first subset is all rows (``None``) and
    its prefix names the table; ``counted`` (name -> row flag, summed per applicant) and ``shares``
    (column -> fitted levels) are computed over it. Counts are Int64, the rest Float32.
    """
    prefixes = list(subsets)
    bounds, applicants = group_bounds(rows[APPLICANT_KEY].to_numpy())
    lengths = np.diff(bounds)
    group_of_row = np.repeat(np.arange(len(lengths)), lengths)
    values = rows.select(pl.col(columns).cast(pl.Float64)).to_numpy(order="fortran")
    frames = [pl.DataFrame({APPLICANT_KEY: applicants})]
    for position, (prefix, condition) in enumerate(subsets.items()):
        mask = np.ones(rows.height, dtype=np.bool_) if condition is None else rows.select(condition.fill_null(False)).to_series().to_numpy()
        results, counts = segment_statistics(values, bounds, mask, tuple(statistics))
        names = [f"{prefix}_{column}_{statistic.upper()}" for column in columns for statistic in statistics]
        frames.append(pl.DataFrame({f"{prefix}_COUNT": counts}))
        frames.append(float_features(results, names))
        if position == 0:
            for name, flag in (counted or {}).items():
                flags = rows.select(flag.fill_null(False)).to_series().to_numpy().astype(np.int64)
                frames.append(pl.DataFrame({name: np.add.reduceat(flags, bounds[:-1]) if len(lengths) else flags[:0]}))
            for column, levels in (shares or {}).items():
                names = [f"{prefixes[0]}_{column}_{feature_level_name(level)}_SHARE" for level in levels]
                frames.append(float_features(level_shares(rows[column], levels, group_of_row, lengths), names))
    return pl.concat([frame for frame in frames if frame.width], how="horizontal")
