"""Per-applicant aggregation shared by every secondary table.

Naming scheme of the features it produces (documented in the README):
``{PREFIX}_{COLUMN}_{STAT}`` for numeric statistics (STAT in MIN, MAX, MEAN, SUM, VAR),
``{PREFIX}_{COLUMN}_{LEVEL}_SHARE`` for the share of rows in a category level, ``{PREFIX}_COUNT`` for
row counts; PREFIX names the source table and, when the rows are a subset, the subset
(``BUREAU_ACTIVE``, ``PREV_REFUSED``, ``INSTAL_RECENT``, ...).

Reproducibility: every table is put in a canonical row order (applicant, then the record's own keys;
rows with equal keys keep their relative order) and each applicant's rows are reduced in that order by
one compiled kernel (``kernels.py``), so one applicant alone and the same applicant in a batch of
356,255 get bit-identical features, run after run. Subsets are boolean masks over the same rows.

Columns are numpy arrays with NaN for missing values from the moment a table is read, so the same code
serves one applicant (microseconds per step) and 356,255 (no per-group Python work).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from pret_a_depenser.constants import APPLICANT_KEY

from .column_table import ColumnTable, RawTable
from .kernels import dense_positions, filled_columns, gather_columns, scatter_columns, segment_statistics

COUNT_DTYPE, FLOAT_DTYPE = "Int64", "Float32"
# Above this ratio of key range to keys, key lookups use a sorted search instead of a dense table.
DENSE_LOOKUP_MAX_SPREAD = 64
# Inputs up to this many rows (one applicant's records) map labels directly, not through categories.
SMALL_INPUT_ROWS = 1000
# Float64 cells per chunk of rows (24 MB): chunk arrays stay under glibc's 32 MB mmap threshold, so
# they reuse heap memory instead of faulting in fresh pages (~2 s per GB on this class of machine).
CHUNK_CELLS = 3_000_000


@dataclass(frozen=True)
class FeatureBlock:
    """Features of one source, one column of ``values`` per applicant of ``applicants``.

    ``values`` is (features, applicants) float32, NaN for missing; counts are stored as exact float32
    integers and typed ``Int64`` in frames. ``applicants`` (SK_ID_CURR, unique) are either those with
    rows in the source, ascending, or the rows of an output table in its order; an applicant of an
    output table without rows in the source has counts 0 and every other feature missing.
    """

    source: str
    applicants: np.ndarray
    names: list[str]
    dtypes: list[str]
    values: np.ndarray

    @property
    def fill(self) -> np.ndarray:
        """Each feature's value for an applicant without rows: 0 for counts, missing otherwise."""
        return np.array([0.0 if dtype == COUNT_DTYPE else np.nan for dtype in self.dtypes], dtype=np.float32)

    def aligned(self, applicants: np.ndarray) -> FeatureBlock:
        """The block for these applicants, in their order: itself when it already is."""
        if len(applicants) == len(self.applicants) and np.array_equal(applicants, self.applicants):
            return self
        values = gather_columns(self.values, key_positions(applicants, self.applicants), self.fill)
        return FeatureBlock(self.source, applicants, self.names, self.dtypes, values)

    def series(self, rows: slice = slice(None)) -> Iterator[pl.Series]:
        """Each feature as a typed polars column over a range of applicants (float32 columns share the
        block's memory)."""
        for index, (name, dtype) in enumerate(zip(self.names, self.dtypes, strict=True)):
            yield typed_series(name, self.values[index, rows], dtype)

    def to_frame(self) -> pl.DataFrame:
        """``SK_ID_CURR`` and the features, one row per applicant of ``applicants``."""
        return pl.DataFrame([pl.Series(APPLICANT_KEY, self.applicants, dtype=pl.Int64), *self.series()])


def combine_chunks(chunks: Iterable[FeatureBlock], applicants: np.ndarray | None = None) -> FeatureBlock:
    """Blocks of consecutive sets of applicants as one block: for their applicants in turn, or written
    straight into the columns of ``applicants`` (any order; applicants without rows filled, rows of
    other applicants dropped) so that no block of the full size is built twice."""
    chunks = iter(chunks)
    first = next(chunks)
    second = next(chunks, None)
    if second is None:  # one chunk (a request, a small table): as it is, or re-aligned in one pass
        return first if applicants is None else first.aligned(applicants)
    if applicants is None:
        parts = [first, second, *chunks]
        return FeatureBlock(
            first.source,
            np.concatenate([part.applicants for part in parts]),
            first.names,
            first.dtypes,
            np.concatenate([part.values for part in parts], axis=1),
        )
    values = filled_columns(first.fill, len(applicants))
    for chunk in (first, second, *chunks):
        scatter_columns(chunk.values, key_positions(chunk.applicants, applicants), values)
    return FeatureBlock(first.source, applicants, first.names, first.dtypes, values)


def typed_series(name: str, values: np.ndarray, dtype: str) -> pl.Series:
    """A float32 feature as a polars column of its spec dtype, NaN as missing."""
    series = pl.Series(name, values, nan_to_null=True)
    return series if dtype == FLOAT_DTYPE else series.cast(getattr(pl, dtype))


def feature_level_name(level: str) -> str:
    """A category level as a feature-name fragment: upper case, runs of other characters become ``_``."""
    return re.sub(r"[^A-Z0-9]+", "_", str(level).upper()).strip("_") or "EMPTY"


def numeric_columns(table: RawTable, exclude: Sequence[str] = ()) -> list[str]:
    """The table's numeric columns in order (a definition of the table, not of its data; read from its
    dtypes, not its ``schema``, which polars builds anew at each access)."""
    return list(_numeric_columns(tuple(table.columns), tuple(table.dtypes), tuple(exclude)))


@functools.lru_cache(maxsize=256)
def _numeric_columns(columns: tuple[str, ...], dtypes: tuple, exclude: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name for name, dtype in zip(columns, dtypes, strict=True) if dtype.is_numeric() and name not in exclude)


def is_label(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, pl.Categorical)


def in_canonical_order(table: RawTable, keys: Sequence[str]) -> RawTable:
    """The rows sorted by ``keys`` (missing keys last; equal keys keep their order), without a sort when
    they already are (a pass over the keys is ~20x cheaper than sorting tens of millions of rows)."""
    if table.height < 2:
        return table
    if table.height <= SMALL_INPUT_ROWS or isinstance(table, ColumnTable):  # a request's records: numpy, no query plan
        columns = [table.get_column(key).to_numpy() for key in keys]
        order = np.lexsort(
            [np.where(np.isnan(column), np.inf, column) if column.dtype.kind == "f" else column for column in reversed(columns)]
        )
        return table if (order[1:] > order[:-1]).all() else table[order]
    ordered = None
    for key in reversed(keys):
        column, previous = pl.col(key), pl.col(key).shift(1)
        ordered = (column >= previous) if ordered is None else (column > previous) | ((column == previous) & ordered)
    if table.select(ordered.fill_null(False).slice(1).all()).item():
        return table
    return table.sort(keys, nulls_last=True, maintain_order=True)


def applicant_chunks(rows: RawTable, columns: int, spec: dict, source: str) -> list[RawTable]:
    """Consecutive slices (no copy) of rows sorted by applicant, cut between applicants: every
    applicant's rows are in one chunk, so chunks give the same features as the whole table.

    A chunk holds about ``CHUNK_CELLS`` float64 cells of its ``columns`` and ``2 * CHUNK_CELLS``
    float32 cells of the source's features per applicant.
    """
    if rows.height <= SMALL_INPUT_ROWS:
        return [rows]
    applicants = rows[APPLICANT_KEY].to_numpy()
    rows_per_applicant = rows.height / (1 + np.count_nonzero(applicants[1:] != applicants[:-1]))
    size = max(
        int(min(CHUNK_CELLS / max(columns, 1), 2 * CHUNK_CELLS * rows_per_applicant / max(source_width(spec, source), 1))), 1
    )
    if rows.height <= size:
        return [rows]
    cuts = np.unique(np.searchsorted(applicants, applicants[np.arange(size, rows.height, size) - 1], side="right"))
    bounds = [0, *cuts[cuts < rows.height].tolist(), rows.height]
    return [rows.slice(start, stop - start) for start, stop in itertools.pairwise(bounds)]


def features_by_chunk(
    table: RawTable,
    keys: Sequence[str],
    extra_columns: int,
    spec: dict,
    source: str,
    chunk_features: Callable[[RawTable, dict], FeatureBlock],
    applicants: np.ndarray | None,
) -> FeatureBlock:
    """A table's rows in canonical order, cut into applicant chunks (``extra_columns``: columns derived
    per row), each chunk's block computed by ``chunk_features(rows, spec)`` and combined."""
    rows = in_canonical_order(table, keys)
    chunks = applicant_chunks(rows, rows.width + extra_columns, spec, source)
    return combine_chunks((chunk_features(chunk, spec) for chunk in chunks), applicants)


def planned_columns(spec: dict) -> frozenset[str] | None:
    """The output columns a planned spec (``spec.feature_plan``) computes; None for a full spec (all)."""
    plan = spec.get("plan")
    return None if plan is None else plan["wanted"]


def empty_block(source: str, applicants: np.ndarray | None) -> FeatureBlock:
    """A source none of whose columns is planned: no features, one (empty) column per applicant."""
    applicants = np.empty(0, np.int64) if applicants is None else applicants
    return FeatureBlock(source, applicants, [], [], np.empty((0, len(applicants)), np.float32))


def wanted_inputs(
    wanted: frozenset[str] | None, prefixes: Iterable[str], columns: Iterable[str], statistics: Sequence[str]
) -> list[str]:
    """The input columns some planned ``{PREFIX}_{COLUMN}_{STAT}`` feature reads (all without a plan)."""
    if wanted is None:
        return list(columns)
    return list(_wanted_inputs(wanted, tuple(prefixes), tuple(columns), tuple(statistics)))


@functools.lru_cache(maxsize=1024)
def _wanted_inputs(
    wanted: frozenset[str], prefixes: tuple[str, ...], columns: tuple[str, ...], statistics: tuple[str, ...]
) -> tuple[str, ...]:
    """Computed once per plan and table layout: a request would otherwise build every feature name."""
    return tuple(
        column
        for column in columns
        if any(f"{prefix}_{column}_{statistic.upper()}" in wanted for prefix in prefixes for statistic in statistics)
    )


def planned_shares(
    wanted: frozenset[str] | None, prefix: str, levels: Mapping[str, list[str]], labels: Callable[[str], pl.Series]
) -> dict[str, tuple[np.ndarray, list[str]]]:
    """``shares`` for ``aggregate_by_applicant``: each label column with a planned share feature (all
    without a plan), its rows' level codes read from ``labels(column)`` only then."""
    read = levels if wanted is None else _planned_share_columns(wanted, prefix, tuple((c, tuple(v)) for c, v in levels.items()))
    return {column: (label_codes(labels(column), levels[column]), levels[column]) for column in read}


@functools.lru_cache(maxsize=256)
def _planned_share_columns(
    wanted: frozenset[str], prefix: str, levels: tuple[tuple[str, tuple[str, ...]], ...]
) -> tuple[str, ...]:
    return tuple(
        column for column, column_levels in levels if any(name in wanted for name in share_names(prefix, column, column_levels))
    )


def source_width(spec: dict, source: str) -> int:
    """How many features the spec lists for a source (0 for a spec not fitted yet)."""
    return sum(1 for column in spec.get("columns", ()) if column["source"] == source)


class FloatColumns(MutableMapping):
    """Named columns of a table as float64 with NaN for missing values (no copy for a complete Float64
    column), each read when first used: a feature plan reduces a few of a table's columns, and the
    others are never read (nor built, for a request's column tables). Derived columns are set as in a dict."""

    def __init__(self, table: RawTable, names: Sequence[str]) -> None:
        self._table = table
        self._values: dict[str, np.ndarray | None] = dict.fromkeys(names)

    def __getitem__(self, name: str) -> np.ndarray:
        values = self._values[name]
        if values is None:
            values = self._values[name] = self._table.get_column(name).to_numpy().astype(np.float64, copy=False)
        return values

    def __setitem__(self, name: str, values: np.ndarray) -> None:
        self._values[name] = values

    def __delitem__(self, name: str) -> None:
        del self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def float_columns(table: RawTable, names: Sequence[str]) -> FloatColumns:
    """Each named column as float64 with NaN for missing values, read when first used (``FloatColumns``)."""
    return FloatColumns(table, names)


def column_matrix(columns: Sequence[np.ndarray], rows: int) -> np.ndarray:
    """(rows, columns) float64, each column contiguous (the kernels read one column at a time)."""
    if not columns:
        return np.empty((rows, 0))
    return np.stack([np.asarray(column, dtype=np.float64) for column in columns]).T


def label_code_table(labels: pl.Series) -> tuple[np.ndarray, list[str | None]]:
    """Each row's label as an integer code, and the label of every code (None: missing).

    Categorical labels of large tables use their physical codes as they are (no string comparison per
    row: bureau_balance has 27 M rows); small inputs map their few labels directly.
    """
    if isinstance(labels.dtype, pl.Categorical) and len(labels) > SMALL_INPUT_ROWS:
        names: list[str | None] = [*labels.dtype.categories.to_series().to_list(), None]
        physical = labels.to_physical()
        return (physical.fill_null(len(names) - 1) if physical.null_count() else physical).to_numpy(), names
    code_of: dict[str | None, int] = {}
    codes = np.fromiter(
        (code_of.setdefault(label, len(code_of)) for label in labels.cast(pl.String).to_list()), dtype=np.int64, count=len(labels)
    )
    return codes, list(code_of)


def level_table(names: Sequence[str | None], levels: Sequence[str], start: int = 0, default: int = -1) -> np.ndarray:
    """For each code of ``label_code_table``: ``start`` + its label's position in ``levels``, or ``default``."""
    position = {level: start + index for index, level in enumerate(levels)}
    return np.array([position.get(name, default) for name in names] or [default], dtype=np.int64)


def label_codes(labels: pl.Series, levels: Sequence[str]) -> np.ndarray:
    """Position of each row's label in ``levels``; -1 for a missing label or one not in ``levels``."""
    codes, names = label_code_table(labels)
    return level_table(names, levels)[codes] if len(codes) else np.empty(0, dtype=np.int64)


def label_counts(labels: pl.Series, rows: np.ndarray | None = None) -> dict[str, int]:
    """Rows per label (missing labels not counted), over the rows where ``rows`` holds (all by default)."""
    if rows is not None:
        labels = labels.filter(pl.Series(rows))
    if isinstance(labels.dtype, pl.Categorical):
        physical = labels.drop_nulls().to_physical().to_numpy()
        counts = np.bincount(physical)
        names = labels.dtype.categories.to_series().to_list()
        return {names[code]: int(counts[code]) for code in np.flatnonzero(counts)}
    counts = labels.drop_nulls().cast(pl.String).value_counts(name="rows")
    return dict(counts.iter_rows())


def is_compact(members: np.ndarray) -> bool:
    """Whether a lookup table indexed by id is small for these ids (ids of Kaggle files are compact)."""
    return int(members.max()) - int(members.min()) <= max(DENSE_LOOKUP_MAX_SPREAD * len(members), 1 << 20)


def position_table(members: np.ndarray) -> tuple[int, np.ndarray]:
    """``(low, table)`` with ``table[id - low]`` the position of ``id`` in ``members`` (-1 if absent)."""
    if not len(members):
        return 0, np.full(1, -1, dtype=np.int64)
    low = int(members.min())
    table = np.full(int(members.max()) - low + 1, -1, dtype=np.int64)
    table[members - low] = np.arange(len(members))
    return low, table


def key_positions(keys: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Position in ``members`` (integer ids) of each key, -1 for a key that is not a member (for an id
    listed twice, either position)."""
    if not len(keys) or not len(members):
        return np.full(len(keys), -1, dtype=np.int64)
    if is_compact(members):
        return dense_positions(keys, *position_table(members))
    order = np.argsort(members, kind="stable")
    ordered = members[order]
    where = np.minimum(np.searchsorted(ordered, keys), len(ordered) - 1)
    return np.where(ordered[where] == keys, order[where], -1)


def key_membership(keys: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Whether each key is one of ``members`` (integer ids, repeats allowed)."""
    return key_positions(keys, members) >= 0


def group_bounds(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boundaries of the runs of equal values of a sorted key (run ``g`` is ``bounds[g]:bounds[g + 1]``) and their keys."""
    if len(keys) and keys[0] == keys[-1]:  # one run (one applicant's rows): no pass over the keys
        return np.array([0, len(keys)], dtype=np.int64), keys[:1]
    starts = np.flatnonzero(keys[1:] != keys[:-1]) + 1 if len(keys) else np.empty(0, dtype=np.int64)
    bounds = np.concatenate(([0], starts, [len(keys)])).astype(np.int64) if len(keys) else np.zeros(1, dtype=np.int64)
    return bounds, keys[bounds[:-1]]


def level_shares(
    codes: np.ndarray, levels: int, group_of_row: np.ndarray, lengths: np.ndarray, dtype: type = np.float32
) -> np.ndarray:
    """(levels, groups) share of each group's rows whose code is each level: counts / rows, exact in any order."""
    kept = codes >= 0
    counts = np.bincount(group_of_row[kept] * levels + codes[kept], minlength=len(lengths) * levels)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (counts.reshape(len(lengths), levels) / lengths[:, None]).T.astype(dtype)


# Column arithmetic with NaN as the missing value: the same result whatever the number of rows.
def where_known(condition: np.ndarray, *inputs: np.ndarray) -> np.ndarray:
    """``condition`` as 0/1, missing where any input is missing."""
    known = np.ones(condition.shape, dtype=bool)
    for values in inputs:
        known &= ~np.isnan(values)
    return np.where(known, condition, np.nan)


def ratio_when_positive(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator where the denominator is > 0, missing elsewhere."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def ratio_when_nonzero(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator where the denominator is not 0, missing elsewhere."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator != 0, numerator / denominator, np.nan)


def missing_where(values: np.ndarray, condition: np.ndarray) -> np.ndarray:
    return np.where(condition, np.nan, values)


@functools.lru_cache(maxsize=256)
def statistic_names(prefix: str, columns: tuple[str, ...], statistics: tuple[str, ...]) -> list[str]:
    """``{PREFIX}_COUNT`` and ``{PREFIX}_{COLUMN}_{STAT}`` in kernel order (computed once per definition)."""
    return [f"{prefix}_COUNT", *(f"{prefix}_{column}_{statistic.upper()}" for column in columns for statistic in statistics)]


@functools.lru_cache(maxsize=256)
def share_names(prefix: str, column: str, levels: tuple[str, ...]) -> list[str]:
    """``{PREFIX}_{COLUMN}_{LEVEL}_SHARE`` for each level."""
    return [f"{prefix}_{column}_{feature_level_name(level)}_SHARE" for level in levels]


@dataclass(frozen=True)
class OutputLayout:
    """What one part of a block outputs: its kept feature names and dtypes, and which rows of the
    computed values they are (``keep``; None: all of them). Derived once per plan and table layout."""

    names: list[str]
    dtypes: list[str]
    keep: np.ndarray | None

    def select(self, values: np.ndarray) -> np.ndarray:
        return values if self.keep is None else values[self.keep]


def _layout(names: Sequence[str], dtypes: Sequence[str], wanted: frozenset[str] | None) -> OutputLayout:
    keep = [index for index, name in enumerate(names) if wanted is None or name in wanted]
    return OutputLayout(
        [names[index] for index in keep],
        [dtypes[index] for index in keep],
        None if len(keep) == len(names) else np.array(keep, dtype=np.int64),
    )


@dataclass(frozen=True)
class SubsetLayout:
    """One subset's part of a block: which columns of the reduced matrix it reduces (``selected``) and
    the layout of its ``COUNT`` and statistics."""

    selected: np.ndarray
    output: OutputLayout


@functools.lru_cache(maxsize=1024)
def _subset_layouts(
    wanted: frozenset[str] | None, prefixes: tuple[str, ...], columns: tuple[str, ...], statistics: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[SubsetLayout | None, ...]]:
    """The columns reduced by any subset (in ``columns`` order: one matrix for all) and each subset's
    layout (None: nothing of it planned)."""
    reduced = {prefix: wanted_inputs(wanted, [prefix], columns, statistics) for prefix in prefixes}
    union = tuple(column for column in columns if any(column in inputs for inputs in reduced.values()))
    position = {column: index for index, column in enumerate(union)}
    layouts = []
    for prefix in prefixes:
        if not reduced[prefix] and wanted is not None and f"{prefix}_COUNT" not in wanted:
            layouts.append(None)
            continue
        names = statistic_names(prefix, tuple(reduced[prefix]), statistics)
        layouts.append(
            SubsetLayout(
                np.array([position[column] for column in reduced[prefix]], dtype=np.int64),
                _layout(names, [COUNT_DTYPE] + [FLOAT_DTYPE] * (len(names) - 1), wanted),
            )
        )
    return union, tuple(layouts)


@functools.lru_cache(maxsize=1024)
def _share_layout(wanted: frozenset[str] | None, prefix: str, column: str, levels: tuple[str, ...]) -> OutputLayout:
    names = share_names(prefix, column, levels)
    return _layout(names, [FLOAT_DTYPE] * len(names), wanted)


def aggregate_by_applicant(
    source: str,
    applicant_of_row: np.ndarray,
    columns: Mapping[str, np.ndarray],
    statistics: Sequence[str],
    subsets: Mapping[str, np.ndarray | None],
    shares: Mapping[str, tuple[np.ndarray, list[str]]] | None = None,
    counted: Mapping[str, np.ndarray] | None = None,
    wanted: frozenset[str] | None = None,
) -> FeatureBlock:
    """Per applicant: row count and statistics of ``columns`` for each subset of the rows.

    Rows are in canonical order (``applicant_of_row`` ascending). The first subset is all rows
    (``None``) and its prefix names the table; ``counted`` (name -> 0/1 row flag, summed per applicant)
    and ``shares`` (column -> label codes and the fitted levels) are computed over it.

    With ``wanted`` (a feature plan), only those features are computed and returned, in the same order
    and with the same values as without it: statistics are computed column by column, so a column's
    values do not depend on which other columns are reduced beside it.
    """
    prefixes = tuple(subsets)
    bounds, applicants = group_bounds(applicant_of_row)
    lengths = bounds[1:] - bounds[:-1]
    names, dtypes, blocks = [], [], []
    statistics = tuple(statistics)
    reduced, layouts = _subset_layouts(wanted, prefixes, tuple(columns), statistics)
    matrix = column_matrix([columns[name] for name in reduced], len(applicant_of_row))  # one for every subset
    for position, (mask, layout) in enumerate(zip(subsets.values(), layouts, strict=True)):
        if layout is not None:
            rows = np.ones(len(applicant_of_row), dtype=np.bool_) if mask is None else mask
            results, counts = segment_statistics(matrix, bounds, rows, statistics, selected=layout.selected)
            names += layout.output.names
            dtypes += layout.output.dtypes
            if layout.output.keep is None:  # every feature of the subset (the full transform): no copy
                blocks += [counts.astype(np.float32)[None, :], results]
            else:
                blocks.append(layout.output.select(np.concatenate([counts.astype(np.float32)[None, :], results])))
        if position == 0:
            for name, flags in (counted or {}).items():
                if wanted is not None and name not in wanted:
                    continue
                names.append(name)
                dtypes.append(COUNT_DTYPE)
                summed = np.add.reduceat(flags.astype(np.int64), bounds[:-1]) if len(lengths) else np.empty(0)
                blocks.append(summed.astype(np.float32)[None, :])
            group_of_row = None
            for column, (codes, levels) in (shares or {}).items():
                layout = _share_layout(wanted, prefixes[0], column, tuple(levels))
                if not layout.names:
                    continue
                if group_of_row is None:
                    group_of_row = np.repeat(np.arange(len(lengths)), lengths)
                names += layout.names
                dtypes += layout.dtypes
                blocks.append(layout.select(level_shares(codes, len(levels), group_of_row, lengths)))
    return FeatureBlock(
        source,
        applicants.astype(np.int64),
        names,
        dtypes,
        np.concatenate(blocks) if blocks else np.empty((0, len(applicants)), np.float32),
    )
