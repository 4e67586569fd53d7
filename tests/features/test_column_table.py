"""ColumnTable: a request's rows as numpy columns give the transform the arrays a polars frame gives."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from pret_a_depenser.features.column_table import POLARS_CONVERSION_ROWS, ColumnTable, as_polars, column_array

VALUES = {
    "SK_ID_CURR": [3, 1, 2],
    "CNT_PAYMENT": [12, None, 24],
    "AMT_CREDIT": [1.5, None, 7],
    "NAME_CONTRACT_STATUS": ["Approved", None, "Refused"],
}
KINDS = {"SK_ID_CURR": "int", "CNT_PAYMENT": "int", "AMT_CREDIT": "float", "NAME_CONTRACT_STATUS": "str"}
POLARS_TYPES = {"int": pl.Int64, "float": pl.Float64, "str": pl.String}


@pytest.fixture
def table() -> ColumnTable:
    return ColumnTable.from_values(VALUES, KINDS, 3)


@pytest.fixture
def frame() -> pl.DataFrame:
    return pl.DataFrame(VALUES, schema={name: POLARS_TYPES[kind] for name, kind in KINDS.items()})


def test_columns_read_as_the_arrays_and_lists_of_a_polars_frame(table, frame):
    assert (table.height, table.width, table.columns, table.dtypes) == (frame.height, frame.width, frame.columns, frame.dtypes)
    for name in frame.columns:
        expected, got = frame.get_column(name).to_numpy(), table.get_column(name).to_numpy()
        assert got.dtype == expected.dtype, name  # int64 when complete, float64 with NaN when an integer is missing
        if KINDS[name] == "str":
            assert got.tolist() == expected.tolist()
        else:
            assert np.array_equal(got, expected, equal_nan=True)
        assert table[name].to_list() == frame[name].to_list()
        assert len(table[name]) == 3
    assert table["CNT_PAYMENT"].cast(pl.Float64).to_numpy().tolist()[::2] == [12.0, 24.0]


def test_rows_are_selected_and_sliced_as_in_polars(table, frame):
    order = np.array([1, 2, 0])
    assert as_polars(table[order]).equals(frame[order])
    assert as_polars(table.slice(1, 5)).equals(frame.slice(1, 5))
    assert table.slice(1, 5).height == 2
    assert as_polars(table).equals(frame)
    assert as_polars(frame) is frame


def test_an_empty_table_keeps_its_dtypes():
    empty = ColumnTable.from_values({name: [] for name in KINDS}, KINDS, 0)
    assert empty.height == 0
    assert empty["SK_ID_CURR"].to_numpy().dtype == np.int64
    assert empty.to_polars().schema == pl.Schema({name: POLARS_TYPES[kind] for name, kind in KINDS.items()})


def test_a_label_column_is_not_cast_to_a_number(table):
    with pytest.raises(TypeError, match="NAME_CONTRACT_STATUS"):
        table["NAME_CONTRACT_STATUS"].cast(pl.Float64)


class _CountedRow:
    """A validated row whose attribute reads are counted."""

    def __init__(self, reads: dict[str, int], **values) -> None:
        self._reads, self._values = reads, values

    def __getattr__(self, name: str):
        self._reads[name] = self._reads.get(name, 0) + 1
        return self._values[name]


def test_a_table_of_rows_builds_a_column_only_when_read_even_after_selecting_rows(frame):
    reads: dict[str, int] = {}
    rows = [_CountedRow(reads, **{name: VALUES[name][row] for name in KINDS if name != "SK_ID_CURR"}) for row in range(3)]
    table = ColumnTable.from_rows(rows, KINDS, {"SK_ID_CURR": VALUES["SK_ID_CURR"]})
    picked = table[np.array([2, 0])].slice(1, 1)
    assert reads == {}  # selecting and slicing read nothing
    assert picked.height == 1 and picked.get_column("AMT_CREDIT").to_numpy().tolist() == [1.5]
    assert reads == {"AMT_CREDIT": 3}  # built once, from every row; the other columns never
    assert np.isnan(table.get_column("AMT_CREDIT").to_numpy()[1]) and reads == {"AMT_CREDIT": 3}
    assert as_polars(table).equals(frame)
    assert as_polars(picked).equals(frame[[0]])


def test_long_float_columns_convert_through_polars_to_the_same_values():
    values = [None if index % 7 == 0 else index / 3 for index in range(POLARS_CONVERSION_ROWS + 5)] + [2**53 + 1]
    converted = column_array(values, "float")
    assert converted.dtype == np.float64 and np.array_equal(converted, np.array(values, dtype=np.float64), equal_nan=True)
    assert np.array_equal(column_array(values[:5], "float"), np.array(values[:5], dtype=np.float64), equal_nan=True)
