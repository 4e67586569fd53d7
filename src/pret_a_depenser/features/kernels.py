"""Compiled per-applicant statistics over rows grouped by applicant (numba).

One pass per group and column, in row order, without reassociation (no fastmath): a group's result
depends only on its own values in their order, so one applicant alone and the same applicant in a
batch of 356,255 get bit-identical statistics, and threads only choose which groups they compute.
Polars' per-group slices cost ~50 ns per group, column and statistic; the 640 M statistics of the
Kaggle tables need a loop over rows instead.
"""

from __future__ import annotations

import functools

import numpy as np
from numba import njit, prange

# Order of the statistics in the kernel's output.
STATISTIC_ORDER = ("min", "max", "mean", "sum", "var")
# Below this many groups (cells for block copies) the serial kernels are used: no thread start-up, and
# safe to call from concurrent threads (numba's parallel kernels are not), as a service scoring one
# applicant per request does.
PARALLEL_MIN_GROUPS = 2_000
PARALLEL_MIN_CELLS = 1_000_000


def _group_statistics(values, bounds, mask, selected, picked, out, counts, group):
    start, stop = bounds[group], bounds[group + 1]
    rows = 0
    for row in range(start, stop):
        if mask[row]:
            rows += 1
    counts[group] = rows
    statistics = np.empty(5, dtype=np.float64)
    for output in range(selected.shape[0]):
        column = selected[output]
        n = 0
        total = 0.0
        low = np.inf
        high = -np.inf
        for row in range(start, stop):
            value = values[row, column]
            if mask[row] and not np.isnan(value):
                n += 1
                total += value
                low = min(low, value)
                high = max(high, value)
        statistics[:] = np.nan
        if n > 0:
            mean = total / n
            squares = 0.0
            for row in range(start, stop):
                value = values[row, column]
                if mask[row] and not np.isnan(value):
                    squares += (value - mean) * (value - mean)
            statistics[0] = low
            statistics[1] = high
            statistics[2] = mean
            statistics[3] = total
            if n > 1:
                statistics[4] = squares / (n - 1)
        for position in range(picked.shape[0]):
            feature = output * picked.shape[0] + position
            out[feature, group] = statistics[picked[position]]
            if np.isinf(out[feature, group]):
                out[feature, group] = np.nan


_group_statistics_compiled = njit(cache=True, nogil=True)(_group_statistics)


@njit(cache=True, nogil=True)
def _serial(values, bounds, mask, selected, picked, out, counts):
    for group in range(bounds.shape[0] - 1):
        _group_statistics_compiled(values, bounds, mask, selected, picked, out, counts, group)


@njit(cache=True, nogil=True, parallel=True)
def _parallel(values, bounds, mask, selected, picked, out, counts):
    for group in prange(bounds.shape[0] - 1):
        _group_statistics_compiled(values, bounds, mask, selected, picked, out, counts, group)


@functools.lru_cache(maxsize=64)
def statistic_positions(statistics: tuple[str, ...]) -> np.ndarray:
    """Where each statistic is in the kernel's ``STATISTIC_ORDER``."""
    return np.array([STATISTIC_ORDER.index(statistic) for statistic in statistics], dtype=np.int64)


def segment_statistics(
    values: np.ndarray,
    bounds: np.ndarray,
    mask: np.ndarray,
    statistics: tuple[str, ...] = STATISTIC_ORDER,
    dtype: type = np.float32,
    selected: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Per group: rows where ``mask`` holds, and the ``statistics`` of each column over them.

    ``values`` is (rows, columns) float64 with NaN for missing, rows grouped; group ``g`` is rows
    ``bounds[g]:bounds[g + 1]``; ``selected``: the positions of the columns reduced (all by default),
    so that subsets reducing different columns share one matrix. The result is (columns x statistics,
    groups): one contiguous array per feature, column-major (``MIN, MAX, ...`` of the first column,
    then of the second). Statistics of no value are NaN (the variance needs two values), and so is a
    value beyond Float32's range (a sum of huge amounts) rather than infinity. Computed in float64,
    rounded once to ``dtype``.
    """
    groups = bounds.shape[0] - 1
    picked = statistic_positions(tuple(statistics))
    if selected is None:
        selected = np.arange(values.shape[1], dtype=np.int64)
    out = np.empty((len(selected) * len(picked), groups), dtype=dtype)
    counts = np.empty(groups, dtype=np.int64)
    kernel = _parallel if groups >= PARALLEL_MIN_GROUPS else _serial
    kernel(values, bounds, mask, selected, picked, out, counts)
    return out, counts


@njit(cache=True, nogil=True)
def _credit_months(credit_ids, low, position_of_id, months, codes, level_of_code, rank_of_code, credits, levels):
    # Per credit: months, first and last month, overdue months, worst overdue rank, months per level.
    counts = np.zeros(credits, dtype=np.int64)
    first = np.full(credits, np.inf)
    last = np.full(credits, -np.inf)
    overdue = np.zeros(credits, dtype=np.int64)
    worst = np.zeros(credits, dtype=np.int64)
    level_counts = np.zeros((credits, levels), dtype=np.int64)
    for row in range(credit_ids.shape[0]):
        offset = credit_ids[row] - low
        if offset < 0 or offset >= position_of_id.shape[0]:
            continue
        credit = position_of_id[offset]
        if credit < 0:
            continue
        counts[credit] += 1
        first[credit] = min(first[credit], months[row])
        last[credit] = max(last[credit], months[row])
        rank = rank_of_code[codes[row]]
        if rank > 0:
            overdue[credit] += 1
            worst[credit] = max(worst[credit], rank)
        level = level_of_code[codes[row]]
        if level >= 0:
            level_counts[credit, level] += 1
    return counts, first, last, overdue, worst, level_counts


def credit_months(
    credit_ids: np.ndarray,
    low: int,
    position_of_id: np.ndarray,
    months: np.ndarray,
    codes: np.ndarray,
    level_of_code: np.ndarray,
    rank_of_code: np.ndarray,
    credits: int,
    levels: int,
) -> tuple[np.ndarray, ...]:
    """Per credit, in one pass over monthly rows in any order (counts, minima and maxima are exact in any
    order) and without temporaries: months reported, first and last ``months``, months whose label rank
    is > 0, the worst rank, and months per label level (credits x levels).

    A row's credit is ``position_of_id[credit_id - low]`` (-1 or out of range: not a listed credit,
    ignored); its label rank and level are ``rank_of_code[code]`` and ``level_of_code[code]``.
    """
    return _credit_months(credit_ids, low, position_of_id, months, codes, level_of_code, rank_of_code, credits, levels)


@njit(cache=True, nogil=True)
def _instalment_payments(bounds, days_instalment, amount_instalment, days_entry, amount_paid):
    groups = bounds.shape[0] - 1
    due_day = np.full(groups, np.nan)
    due_amount = np.full(groups, np.nan)
    paid_day = np.full(groups, np.nan)
    paid = np.zeros(groups)
    for group in range(groups):
        start, stop = bounds[group], bounds[group + 1]
        low_due, high_amount, last_paid = np.inf, -np.inf, -np.inf
        for row in range(start, stop):
            if not np.isnan(days_instalment[row]):
                low_due = min(low_due, days_instalment[row])
            if not np.isnan(amount_instalment[row]):
                high_amount = max(high_amount, amount_instalment[row])
            if not np.isnan(days_entry[row]):
                last_paid = max(last_paid, days_entry[row])
        if low_due < np.inf:
            due_day[group] = low_due
        if high_amount > -np.inf:
            due_amount[group] = high_amount
        if last_paid > -np.inf:
            paid_day[group] = last_paid
        # Payments summed in ascending amount order (missing amounts skipped): the same total whatever
        # the order of the file's rows.
        if stop - start == 1:
            paid[group] = amount_paid[start] if not np.isnan(amount_paid[start]) else 0.0
            continue
        total = 0.0
        for amount in np.sort(amount_paid[start:stop]):
            if not np.isnan(amount):
                total += amount
        paid[group] = total
    return due_day, due_amount, paid_day, paid


def instalment_payments(
    bounds: np.ndarray,
    days_instalment: np.ndarray,
    amount_instalment: np.ndarray,
    days_entry: np.ndarray,
    amount_paid: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per instalment (rows ``bounds[g]:bounds[g + 1]``): earliest due day, largest amount due, day of the
    last payment (NaN when none) and the amount paid (0 when none), the same in any row order."""
    return _instalment_payments(bounds, days_instalment, amount_instalment, days_entry, amount_paid)


def _gather_column(values, where, fill, out, feature):
    for position in range(where.shape[0]):
        source = where[position]
        out[feature, position] = values[feature, source] if source >= 0 else fill[feature]


_gather_column_compiled = njit(cache=True, nogil=True)(_gather_column)


@njit(cache=True, nogil=True)
def _gather_serial(values, where, fill, out):
    for feature in range(values.shape[0]):
        _gather_column_compiled(values, where, fill, out, feature)


@njit(cache=True, nogil=True, parallel=True)
def _gather_parallel(values, where, fill, out):
    for feature in prange(values.shape[0]):
        _gather_column_compiled(values, where, fill, out, feature)


def gather_columns(values: np.ndarray, where: np.ndarray, fill: np.ndarray) -> np.ndarray:
    """``out[f, i] = values[f, where[i]]``, or ``fill[f]`` where ``where[i]`` is -1: a (features, groups)
    block re-aligned to other applicants in one parallel pass."""
    out = np.empty((values.shape[0], where.shape[0]), dtype=values.dtype)
    if out.size:
        kernel = _gather_parallel if out.size >= PARALLEL_MIN_CELLS else _gather_serial
        kernel(values, where.astype(np.int64, copy=False), fill.astype(values.dtype, copy=False), out)
    return out


@njit(cache=True, nogil=True)
def _dense_positions(keys, low, position_of_id, out):
    for row in range(keys.shape[0]):
        offset = keys[row] - low
        out[row] = position_of_id[offset] if 0 <= offset < position_of_id.shape[0] else -1


def dense_positions(keys: np.ndarray, low: int, position_of_id: np.ndarray) -> np.ndarray:
    """``position_of_id[key - low]`` for each key, -1 outside the table: one pass, no temporaries."""
    out = np.empty(keys.shape[0], dtype=np.int64)
    _dense_positions(keys, low, position_of_id, out)
    return out


def _scatter_column(values, where, out, feature):
    for position in range(where.shape[0]):
        if where[position] >= 0:
            out[feature, where[position]] = values[feature, position]


_scatter_column_compiled = njit(cache=True, nogil=True)(_scatter_column)


@njit(cache=True, nogil=True)
def _scatter_serial(values, where, out):
    for feature in range(values.shape[0]):
        _scatter_column_compiled(values, where, out, feature)


@njit(cache=True, nogil=True, parallel=True)
def _scatter_parallel(values, where, out):
    for feature in prange(values.shape[0]):
        _scatter_column_compiled(values, where, out, feature)


def scatter_columns(values: np.ndarray, where: np.ndarray, out: np.ndarray) -> None:
    """``out[f, where[i]] = values[f, i]`` for every ``where[i] >= 0``: a chunk's columns put in place."""
    if values.size:
        kernel = _scatter_parallel if values.size >= PARALLEL_MIN_CELLS else _scatter_serial
        kernel(values, where.astype(np.int64, copy=False), out)


@njit(cache=True, nogil=True, parallel=True)
def _filled_parallel(fill, out):
    for feature in prange(out.shape[0]):
        out[feature, :] = fill[feature]


def filled_columns(fill: np.ndarray, applicants: int) -> np.ndarray:
    """A (features, applicants) float32 block holding ``fill[f]`` in row ``f``; written by two threads,
    as first writes to fresh memory are what a block of this size costs."""
    out = np.empty((fill.shape[0], applicants), dtype=np.float32)
    if out.size >= PARALLEL_MIN_CELLS:
        _filled_parallel(fill.astype(np.float32), out)
    else:
        out[:] = fill.astype(np.float32)[:, None]
    return out
