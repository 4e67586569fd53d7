"""The compiled kernels against their own Python source and hand-computed figures.

numba compiles these loops, so the rest of the suite exercises machine code that coverage cannot see;
here each kernel's Python source (``.py_func``, or the plain function a kernel wraps) runs on small
arrays and must give what the compiled kernel gives, bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest

from pret_a_depenser.features import kernels

VALUES = np.array([[1.0, 5.0], [2.0, np.nan], [np.nan, 7.0], [4.0, 8.0], [3.0, np.nan], [1e300, 1e300], [1e300, 1e300]])
BOUNDS = np.array([0, 4, 5, 5, 7])  # groups of 4, 1, 0 and 2 rows
MASK = np.array([True, True, True, True, False, True, True])


def _python_segment_statistics(values, bounds, mask, statistics, selected=None):
    picked = np.array([kernels.STATISTIC_ORDER.index(statistic) for statistic in statistics], dtype=np.int64)
    selected = np.arange(values.shape[1]) if selected is None else selected
    out = np.empty((len(selected) * len(picked), bounds.shape[0] - 1), dtype=np.float32)
    counts = np.empty(bounds.shape[0] - 1, dtype=np.int64)
    with np.errstate(over="ignore"):  # the compiled kernel's cast to float32 overflows silently too
        for group in range(bounds.shape[0] - 1):
            kernels._group_statistics(values, bounds, mask, selected, picked, out, counts, group)
    return out, counts


def test_segment_statistics_by_hand_and_against_the_python_source():
    out, counts = kernels.segment_statistics(VALUES, BOUNDS, MASK)
    assert counts.tolist() == [4, 0, 0, 2]
    first_column = out[:5, 0]  # min, max, mean, sum, var of 1, 2, 4 (NaN skipped)
    np.testing.assert_allclose(first_column, np.array([1, 4, 7 / 3, 7, np.var([1, 2, 4], ddof=1)], dtype=np.float32), rtol=1e-6)
    assert np.isnan(out[:, 1]).all() and np.isnan(out[:, 2]).all()  # masked-out row, empty group
    assert np.isnan(out[:4, 3]).all() and out[4, 3] == 0  # beyond Float32's range: NaN, not infinity; the variance is 0
    python_out, python_counts = _python_segment_statistics(VALUES, BOUNDS, MASK, kernels.STATISTIC_ORDER)
    np.testing.assert_array_equal(out, python_out)
    np.testing.assert_array_equal(counts, python_counts)


def test_selected_columns_give_the_statistics_of_those_columns_alone():
    values = np.column_stack([VALUES[:, 1], VALUES[:, 0], VALUES[:, 1]])
    selected, _ = kernels.segment_statistics(values, BOUNDS, MASK, ("max", "var"), selected=np.array([1, 2]))
    alone, _ = kernels.segment_statistics(VALUES, BOUNDS, MASK, ("max", "var"))
    np.testing.assert_array_equal(selected, alone)  # columns 1 and 2 are VALUES' columns 0 and 1
    python_out, _ = _python_segment_statistics(values, BOUNDS, MASK, ("max", "var"), np.array([1, 2]))
    np.testing.assert_array_equal(selected, python_out)


def test_the_serial_and_parallel_kernels_agree(monkeypatch):
    rng = np.random.default_rng(0)
    values = np.where(rng.random((3000, 3)) < 0.2, np.nan, rng.normal(size=(3000, 3)))
    bounds = np.arange(0, 3001, 1)  # one row per group: 3,000 groups, above the parallel threshold
    mask = rng.random(3000) < 0.9
    parallel, _ = kernels.segment_statistics(values, bounds, mask, ("min", "sum"))
    monkeypatch.setattr(kernels, "PARALLEL_MIN_GROUPS", 10**9)
    serial, _ = kernels.segment_statistics(values, bounds, mask, ("min", "sum"))
    np.testing.assert_array_equal(parallel, serial)
    python_out, _ = _python_segment_statistics(values, bounds, mask, ("min", "sum"))
    np.testing.assert_array_equal(serial, python_out)


def test_credit_months_counts_each_listed_credit_in_any_row_order():
    # credits 10 and 12 listed (positions 0 and 1); 11 and 99 are not
    position_of_id = np.array([0, -1, 1])
    credit_ids = np.array([10, 12, 10, 11, 99, 10, 5])
    months = np.array([-3, -1, -1, -2, -4, -2, -9])
    codes = np.array([0, 1, 2, 0, 0, 1, 0])  # label codes: "0", "1", "C"
    level_of_code, rank_of_code = np.array([0, 1, -1]), np.array([0, 1, 0])
    arguments = (credit_ids, 10, position_of_id, months, codes, level_of_code, rank_of_code, 2, 2)
    counts, first, last, overdue, worst, levels = kernels.credit_months(*arguments)
    assert counts.tolist() == [3, 1] and first.tolist() == [-3, -1] and last.tolist() == [-1, -1]
    assert overdue.tolist() == [1, 1] and worst.tolist() == [1, 1] and levels.tolist() == [[1, 1], [0, 1]]
    for compiled, python in zip(kernels.credit_months(*arguments), kernels._credit_months.py_func(*arguments), strict=True):
        np.testing.assert_array_equal(compiled, python)


def test_instalment_payments_merge_split_payments_whatever_their_order():
    bounds = np.array([0, 1, 4, 5])
    days_instalment = np.array([-30.0, -60.0, -60.0, np.nan, np.nan])
    amount_instalment = np.array([100.0, 50.0, 50.0, 50.0, np.nan])
    days_entry = np.array([-31.0, -65.0, -55.0, np.nan, np.nan])
    amount_paid = np.array([100.0, 20.0, np.nan, 30.0, np.nan])
    arguments = (bounds, days_instalment, amount_instalment, days_entry, amount_paid)
    due_day, due_amount, paid_day, paid = kernels.instalment_payments(*arguments)
    assert due_day.tolist()[:2] == [-30.0, -60.0] and np.isnan(due_day[2])
    assert due_amount.tolist()[:2] == [100.0, 50.0] and paid_day.tolist()[:2] == [-31.0, -55.0]
    assert paid.tolist() == [100.0, 50.0, 0.0]  # missing payments count as 0 paid
    for compiled, python in zip(
        kernels.instalment_payments(*arguments), kernels._instalment_payments.py_func(*arguments), strict=True
    ):
        np.testing.assert_array_equal(compiled, python)


@pytest.mark.parametrize("cells", [6, kernels.PARALLEL_MIN_CELLS])
def test_gather_scatter_and_fill_move_columns_as_their_python_source_does(cells):
    features = 2
    groups = cells // features
    values = np.arange(features * groups, dtype=np.float32).reshape(features, groups)
    where = np.array([groups - 1, -1, *range(groups - 2)])
    fill = np.array([-1.0, -2.0], dtype=np.float32)
    gathered = kernels.gather_columns(values, where, fill)
    assert gathered[0, 0] == values[0, groups - 1] and gathered[:, 1].tolist() == [-1.0, -2.0]
    python_gathered = np.empty_like(gathered)
    for feature in range(features):
        kernels._gather_column(values, where, fill, python_gathered, feature)
    np.testing.assert_array_equal(gathered, python_gathered)

    scattered, python_scattered = np.zeros_like(values), np.zeros_like(values)
    kernels.scatter_columns(values, where, scattered)
    for feature in range(features):
        kernels._scatter_column(values, where, python_scattered, feature)
    np.testing.assert_array_equal(scattered, python_scattered)
    assert scattered[0, groups - 1] == values[0, 0]

    filled = kernels.filled_columns(fill, groups)
    python_filled = np.empty_like(filled)
    kernels._filled_parallel.py_func(fill, python_filled)
    np.testing.assert_array_equal(filled, python_filled)


def test_dense_positions_mark_keys_outside_the_table():
    position_of_id = np.array([3, -1, 7])
    keys = np.array([100, 101, 102, 99, 103])
    expected = [3, -1, 7, -1, -1]
    assert kernels.dense_positions(keys, 100, position_of_id).tolist() == expected
    out = np.empty(5, dtype=np.int64)
    kernels._dense_positions.py_func(keys, 100, position_of_id, out)
    assert out.tolist() == expected
