"""Feature rows as arrays: what the transform returns, before any frame is built.

A frame of 1,800 columns costs ~15 ms to build whatever its length, three times the budget of scoring
one applicant; the rows keep the features as float32 blocks, one column per applicant, and build a
frame only when asked (the pipeline's model input tables, sharing the blocks' memory) or a plain matrix
of chosen features (scoring).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from pret_a_depenser.constants import APPLICANT_KEY

from .aggregation import FeatureBlock
from .application import TARGET, ApplicationFeatures
from .column_table import as_polars


@dataclass(frozen=True)
class FeatureRows:
    """One feature row per applicant of ``application.numbers.applicants``, in that order."""

    application: ApplicationFeatures
    secondary: tuple[FeatureBlock, ...]

    def __post_init__(self) -> None:
        applicants = self.application.numbers.applicants
        object.__setattr__(self, "secondary", tuple(block.aligned(applicants) for block in self.secondary))

    @property
    def applicants(self) -> np.ndarray:
        return self.application.numbers.applicants

    @property
    def sources(self) -> list[tuple[str, list[str]]]:
        """Each source with its output columns, in output order (``SK_ID_CURR`` is the application's)."""
        return [("application", [APPLICANT_KEY, *self.application.columns])] + [
            (block.source, block.names) for block in self.secondary
        ]

    @property
    def columns(self) -> list[tuple[str, str]]:
        """Name and dtype of every output column, in order (TARGET excluded)."""
        numbers = self.application.numbers
        dtypes = dict(zip(numbers.names, numbers.dtypes, strict=True)) | dict.fromkeys(self.application.labels.columns, "String")
        described = [(APPLICANT_KEY, "Int64")] + [(name, dtypes[name]) for name in self.application.columns]
        return described + [
            (name, dtype) for block in self.secondary for name, dtype in zip(block.names, block.dtypes, strict=True)
        ]

    def matrix(self, names: Sequence[str]) -> np.ndarray:
        """(applicants, names) float32 of numeric features, NaN for missing."""
        rows = {}
        for block in (self.application.numbers, *self.secondary):
            rows.update(zip(block.names, block.values, strict=True))
        missing = [name for name in names if name not in rows]
        if missing:
            raise KeyError(f"not numeric features of these rows: {', '.join(missing[:5])}")
        return np.stack([rows[name] for name in names], axis=1) if names else np.empty((len(self.applicants), 0), np.float32)

    def to_frame(self, rows: slice = slice(None), with_target: bool = True) -> pl.DataFrame:
        """A frame with SK_ID_CURR, TARGET (when known and ``with_target``) and every feature in order,
        for a range of applicants (all by default); its float columns share the blocks' memory."""
        series = {APPLICANT_KEY: pl.Series(APPLICANT_KEY, self.applicants[rows], dtype=pl.Int64)}
        for block in (self.application.numbers, *self.secondary):
            series.update((column.name, column) for column in block.series(rows))
        start, stop, _ = rows.indices(len(self.applicants))
        labels = as_polars(self.application.labels)
        if labels.width:
            series.update((name, labels[name].slice(start, max(stop - start, 0))) for name in labels.columns)
        order = [APPLICANT_KEY]
        if with_target and self.application.target is not None:
            series[TARGET] = pl.Series(TARGET, self.application.target[rows], nan_to_null=True).cast(pl.Int8)
            order.append(TARGET)
        names = order + self.application.columns + [name for block in self.secondary for name in block.names]
        return pl.DataFrame([series[name] for name in names])
