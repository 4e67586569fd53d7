"""Raw rows held as numpy columns: the tables of a scoring request, without building polars frames.

A request's records are a few dozen rows per table. Building a polars frame per table, then reading
each column back out of it, costs more than the whole feature computation of one applicant; the
transform reads its tables through a handful of frame methods only (``height``, ``columns``,
``dtypes``, ``get_column(...).to_numpy()``, row selection and slices), which ``ColumnTable`` provides
over plain arrays. The values the transform sees are the same arrays a polars frame of the same rows
gives (float64 with NaN for a missing number or an integer column with a gap, int64 for a complete
integer column, strings or None for labels), so the features are bit-identical either way.

A table built ``from_rows`` holds the request's validated rows and builds a column from them the
first time the transform reads it: a feature plan does not read every column (the default model's
reads 102 of the 117 a request could build), and a batch of 1,000 applicants has ~170,000 history
rows. Selecting rows or slicing keeps an unread column unread.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

KIND_DTYPES = {"int": pl.Int64, "float": pl.Float64, "str": pl.String}
# From this many values polars converts a float column ~2x faster than numpy; below, its ~50 us of
# fixed cost per Series would double one applicant's request.
POLARS_CONVERSION_ROWS = 2000


def column_array(values: Sequence[Any], kind: str) -> np.ndarray:
    """A contract column's values (None: missing) as the array ``polars.Series.to_numpy`` would give."""
    if kind == "str":
        array = np.empty(len(values), dtype=object)
        array[:] = values
        return array
    if kind == "int" and None not in values:
        return np.array(values, dtype=np.int64)
    if len(values) < POLARS_CONVERSION_ROWS:
        return np.array(values, dtype=np.float64)  # None becomes NaN
    return pl.Series(values, dtype=pl.Float64, strict=False).to_numpy()  # the same values, 2x numpy's speed


class Column:
    """One column of a ``ColumnTable``: the polars ``Series`` methods the transform reads."""

    __slots__ = ("dtype", "name", "values")

    def __init__(self, name: str, values: np.ndarray, dtype: Any) -> None:
        self.name, self.values, self.dtype = name, values, dtype

    def __len__(self) -> int:
        return len(self.values)

    def to_numpy(self) -> np.ndarray:
        return self.values

    def to_list(self) -> list[Any]:
        values = self.values.tolist()
        if self.values.dtype.kind != "f":
            return values
        integer = self.dtype == pl.Int64  # an integer column with a gap is held as float64, NaN for missing
        return [None if math.isnan(value) else int(value) if integer else value for value in values]

    def cast(self, dtype: Any) -> Column:
        if dtype == self.dtype:
            return self
        if dtype == pl.Float64 and self.dtype != pl.String:
            return Column(self.name, self.values.astype(np.float64), dtype)
        raise TypeError(f"column {self.name}: no cast from {self.dtype} to {dtype} in a column table")


class ColumnTable:
    """Rows as one numpy array per column, with their polars dtypes (see the module docstring)."""

    __slots__ = ("_columns", "_dtypes", "height")

    def __init__(
        self, columns: Mapping[str, np.ndarray | Callable[[], np.ndarray]], dtypes: Mapping[str, Any], height: int | None = None
    ) -> None:
        self._columns = dict(columns)  # a column not built yet is the function that builds it
        self._dtypes = dict(dtypes)
        if height is None:
            height = len(self._array(next(iter(self._columns)))) if self._columns else 0
        self.height = height

    def _array(self, name: str) -> np.ndarray:
        values = self._columns[name]
        if callable(values):
            values = self._columns[name] = values()
        return values

    @classmethod
    def from_rows(cls, rows: Sequence[Any], kinds: Mapping[str, str], known: Mapping[str, Sequence[Any]]) -> ColumnTable:
        """A table of validated rows (objects with one attribute per column): the ``known`` columns'
        values are given, every other column is built from the rows' attribute when first read."""
        return cls(
            {
                name: column_array(known[name], kind) if name in known else functools.partial(_attribute_column, rows, name, kind)
                for name, kind in kinds.items()
            },
            {name: KIND_DTYPES[kind] for name, kind in kinds.items()},
            len(rows),
        )

    @classmethod
    def from_values(cls, values: Mapping[str, Sequence[Any]], kinds: Mapping[str, str], height: int) -> ColumnTable:
        """A table from each column's values (None: missing) and contract kind (``int``, ``float``, ``str``)."""
        return cls(
            {name: column_array(values[name], kind) for name, kind in kinds.items()},
            {name: KIND_DTYPES[kind] for name, kind in kinds.items()},
            height,
        )

    def with_column(self, name: str, values: np.ndarray) -> ColumnTable:
        """The table with column ``name``'s values replaced (same dtype)."""
        return ColumnTable({**self._columns, name: values}, self._dtypes, self.height)

    @property
    def width(self) -> int:
        return len(self._columns)

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    @property
    def dtypes(self) -> list[Any]:
        return list(self._dtypes.values())

    def get_column(self, name: str) -> Column:
        return Column(name, self._array(name), self._dtypes[name])

    def __getitem__(self, item: str | np.ndarray) -> Any:
        """A column by name, or the rows at these positions (a new table)."""
        if isinstance(item, str):
            return self.get_column(item)
        return self._rows(item, len(item))

    def slice(self, offset: int, length: int) -> ColumnTable:
        stop = min(offset + length, self.height)
        return self._rows(slice(offset, stop), stop - offset)

    def _rows(self, rows: np.ndarray | slice, height: int) -> ColumnTable:
        """The rows at ``rows``; a column not built yet stays so, built from this table's when read."""
        return ColumnTable(
            {
                name: functools.partial(_rows_of, self, name, rows) if callable(values) else values[rows]
                for name, values in self._columns.items()
            },
            self._dtypes,
            height,
        )

    def to_polars(self) -> pl.DataFrame:
        return pl.DataFrame(
            [pl.Series(name, self.get_column(name).to_list(), dtype=dtype) for name, dtype in self._dtypes.items()]
        )


def _attribute_column(rows: Sequence[Any], name: str, kind: str) -> np.ndarray:
    return column_array(_attribute_reader(name)(rows), kind)


@functools.cache
def _attribute_reader(name: str) -> Callable[[Sequence[Any]], list[Any]]:
    """``[row.<name> for row in rows]`` for one column: a comprehension that reads one attribute is ~3x
    faster than ``getattr`` or ``attrgetter`` per row (the read is specialised), so each column name
    gets its own, generated once (as ``dataclasses`` generates its methods)."""
    if not name.isidentifier():
        raise ValueError(f"column {name!r} is not an attribute name")
    namespace: dict[str, Any] = {}
    exec(f"def read(rows):\n    return [row.{name} for row in rows]", namespace)  # noqa: S102 - a contract column name, checked above
    return namespace["read"]


def _rows_of(table: ColumnTable, name: str, rows: np.ndarray | slice) -> np.ndarray:
    return table._array(name)[rows]


RawTable = pl.DataFrame | ColumnTable  # what the transform reads a table from


def as_polars(table: RawTable) -> pl.DataFrame:
    """A polars frame of the table (itself when it is one)."""
    return table.to_polars() if isinstance(table, ColumnTable) else table
