"""Application features: cleaned Kaggle application columns plus domain ratios (``APP_*``)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from pret_a_depenser.constants import APPLICANT_KEY, DAYS_PER_YEAR

from .aggregation import (
    COUNT_DTYPE,
    FLOAT_DTYPE,
    SMALL_INPUT_ROWS,
    FeatureBlock,
    combine_chunks,
    float_columns,
    in_canonical_order,
    is_label,
    missing_where,
    numeric_columns,
    planned_columns,
    ratio_when_nonzero,
    where_known,
)
from .column_table import ColumnTable, RawTable

EXT_SOURCES = ["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"]
TARGET = "TARGET"
# The application columns the ratios read (besides the FLAG_DOCUMENT_* flags of APP_DOCUMENT_COUNT).
RATIO_INPUTS = frozenset(
    [
        *EXT_SOURCES,
        "DAYS_BIRTH",
        "AMT_CREDIT",
        "AMT_ANNUITY",
        "AMT_INCOME_TOTAL",
        "AMT_GOODS_PRICE",
        "CNT_FAM_MEMBERS",
        "CNT_CHILDREN",
        "DAYS_EMPLOYED",
        "DAYS_REGISTRATION",
        "DAYS_ID_PUBLISH",
        "DAYS_LAST_PHONE_CHANGE",
        "OWN_CAR_AGE",
    ]
)


def planned_application_inputs(wanted: frozenset[str], columns: Iterable[str]) -> list[str]:
    """Of the application ``columns``, those a plan reads: its own, the ratios' inputs and, for
    ``APP_DOCUMENT_COUNT``, the document flags."""
    documents = "APP_DOCUMENT_COUNT" in wanted
    return [
        name for name in columns if name in wanted or name in RATIO_INPUTS or (documents and name.startswith("FLAG_DOCUMENT_"))
    ]


@dataclass(frozen=True)
class ApplicationFeatures:
    """The application part of the feature rows, one row per applicant in ``numbers.applicants`` order.

    ``columns`` is the output order (numbers and labels interleaved as in the Kaggle file, then the
    ``APP_*`` ratios); ``labels`` holds the categorical features as strings; ``target`` is float64 with
    NaN for an applicant whose outcome is unknown, or None when the rows have no TARGET.
    """

    numbers: FeatureBlock
    labels: RawTable
    columns: list[str]
    target: np.ndarray | None


def _ext_source_summary(values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    sources = np.stack([values[name] for name in EXT_SOURCES])
    known = ~np.isnan(sources)
    present = known.sum(axis=0)
    total = np.zeros(sources.shape[1])
    for row in np.where(known, sources, 0.0):
        total += row
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(present > 0, total / present, np.nan)
        spread = np.where(known, sources - mean, 0.0)
        squares = np.zeros(sources.shape[1])
        for row in spread:
            squares += row * row
        std = np.where(present > 1, np.sqrt(squares / (present - 1)), np.nan)
    return {
        "APP_EXT_SOURCE_MEAN": mean,
        "APP_EXT_SOURCE_MIN": np.where(present > 0, np.fmin.reduce(sources, axis=0), np.nan),
        "APP_EXT_SOURCE_MAX": np.where(present > 0, np.fmax.reduce(sources, axis=0), np.nan),
        "APP_EXT_SOURCE_STD": std,
        "APP_EXT_SOURCE_PRODUCT": sources[0] * sources[1] * sources[2],
    }


def _application_ratios(
    values: dict[str, np.ndarray], documents: list[str], wanted: frozenset[str] | None = None
) -> dict[str, np.ndarray]:
    """The ``APP_*`` ratios, in output order; with a plan (``wanted``), the planned ones only."""
    age_days = -values["DAYS_BIRTH"]
    credit, annuity, income = values["AMT_CREDIT"], values["AMT_ANNUITY"], values["AMT_INCOME_TOTAL"]
    ext_sources = functools.cache(lambda: _ext_source_summary(values))

    def document_count() -> np.ndarray:
        count = np.zeros(len(age_days))
        for name in documents:
            count += np.nan_to_num(values[name])
        return count

    formulas = {
        "APP_CREDIT_INCOME_RATIO": lambda: ratio_when_nonzero(credit, income),
        "APP_ANNUITY_INCOME_RATIO": lambda: ratio_when_nonzero(annuity, income),
        "APP_PAYMENT_RATE": lambda: ratio_when_nonzero(annuity, credit),
        "APP_CREDIT_TERM_MONTHS": lambda: ratio_when_nonzero(credit, annuity),
        "APP_CREDIT_GOODS_RATIO": lambda: ratio_when_nonzero(credit, values["AMT_GOODS_PRICE"]),
        "APP_CREDIT_GOODS_DIFF": lambda: credit - values["AMT_GOODS_PRICE"],
        "APP_INCOME_PER_PERSON": lambda: ratio_when_nonzero(income, values["CNT_FAM_MEMBERS"]),
        "APP_CHILDREN_RATIO": lambda: ratio_when_nonzero(values["CNT_CHILDREN"], values["CNT_FAM_MEMBERS"]),
        "APP_AGE_YEARS": lambda: age_days / DAYS_PER_YEAR,
        "APP_EMPLOYED_AGE_RATIO": lambda: ratio_when_nonzero(-values["DAYS_EMPLOYED"], age_days),
        "APP_REGISTRATION_AGE_RATIO": lambda: ratio_when_nonzero(-values["DAYS_REGISTRATION"], age_days),
        "APP_ID_PUBLISH_AGE_RATIO": lambda: ratio_when_nonzero(-values["DAYS_ID_PUBLISH"], age_days),
        "APP_PHONE_CHANGE_AGE_RATIO": lambda: ratio_when_nonzero(-values["DAYS_LAST_PHONE_CHANGE"], age_days),
        "APP_CAR_AGE_RATIO": lambda: ratio_when_nonzero(values["OWN_CAR_AGE"] * DAYS_PER_YEAR, age_days),
        "APP_EXT_SOURCE_MEAN": lambda: ext_sources()["APP_EXT_SOURCE_MEAN"],
        "APP_EXT_SOURCE_MIN": lambda: ext_sources()["APP_EXT_SOURCE_MIN"],
        "APP_EXT_SOURCE_MAX": lambda: ext_sources()["APP_EXT_SOURCE_MAX"],
        "APP_EXT_SOURCE_STD": lambda: ext_sources()["APP_EXT_SOURCE_STD"],
        "APP_EXT_SOURCE_PRODUCT": lambda: ext_sources()["APP_EXT_SOURCE_PRODUCT"],
        "APP_DOCUMENT_COUNT": document_count,
        "APP_EXT_SOURCE_MISSING_COUNT": lambda: (
            np.isnan(np.stack([values[name] for name in EXT_SOURCES])).sum(axis=0).astype(np.float64)
        ),
    }
    return {name: formula() for name, formula in formulas.items() if wanted is None or name in wanted}


def application_features(application: RawTable, spec: dict[str, Any]) -> ApplicationFeatures:
    """One row per applicant (TARGET kept when present), sentinels cleared, ratios added, sorted by SK_ID_CURR.

    ``DAYS_EMPLOYED = days_sentinel`` (pensioners, unemployed) becomes missing with a flag
    ``APP_DAYS_EMPLOYED_SENTINEL``; unknown labels (``XNA``, ``Unknown``) become missing. Labels are
    kept as strings: they are the model's categorical features. With a feature plan, only the planned
    columns (and the ratios' inputs) are read.
    """
    parameters = spec["parameters"]
    sentinel = int(parameters["days_sentinel"])
    unknown = list(parameters["unknown_labels"])
    wanted = planned_columns(spec)
    rows = in_canonical_order(application, [APPLICANT_KEY])
    dtype_of = dict(zip(rows.columns, rows.dtypes, strict=True))
    numeric = numeric_columns(rows, exclude=(APPLICANT_KEY, TARGET))
    if wanted is not None:
        numeric = planned_application_inputs(wanted, numeric)
    documents = [name for name in numeric if name.startswith("FLAG_DOCUMENT_")]
    values = float_columns(rows, numeric)
    employed = values["DAYS_EMPLOYED"]
    values["DAYS_EMPLOYED"] = missing_where(employed, employed == sentinel)
    ratios = _application_ratios(values, documents, wanted)
    integer = {name for name in numeric if dtype_of[name].is_integer()} | {"APP_DOCUMENT_COUNT", "APP_EXT_SOURCE_MISSING_COUNT"}
    flag = {"APP_DAYS_EMPLOYED_SENTINEL": where_known(employed == sentinel, employed)}
    every = {**values, **flag, **ratios}
    if wanted is not None:
        every = {name: column for name, column in every.items() if name in wanted}
    names = list(every)
    dtypes = ["Int8" if name in flag else COUNT_DTYPE if name in integer else FLOAT_DTYPE for name in names]
    matrix = np.stack(list(every.values()), dtype=np.float32) if names else np.empty((0, rows.height), np.float32)
    labels = [name for name, dtype in dtype_of.items() if is_label(dtype) and (wanted is None or name in wanted)]
    if rows.height <= SMALL_INPUT_ROWS or isinstance(rows, ColumnTable):  # a request's records: no query plan
        values_of = {
            name: [None if label in unknown else label for label in rows.get_column(name).cast(pl.String).to_list()]
            for name in labels
        }
        if isinstance(rows, ColumnTable):
            label_values = ColumnTable.from_values(values_of, dict.fromkeys(labels, "str"), rows.height)
        else:
            label_values = pl.DataFrame(values_of, schema=dict.fromkeys(labels, pl.String))
    else:
        label_values = rows.select(
            pl.when(pl.col(name).cast(pl.String).is_in(unknown)).then(None).otherwise(pl.col(name).cast(pl.String)).alias(name)
            for name in labels
        )
    order = [name for name in [*rows.columns, *flag, *ratios] if name in every or name in labels]
    target = rows[TARGET].cast(pl.Float64).to_numpy() if TARGET in rows.columns else None
    block = FeatureBlock("application", rows[APPLICANT_KEY].to_numpy().astype(np.int64), names, dtypes, matrix)
    return ApplicationFeatures(block, label_values, order, target)


def stack_applications(parts: Sequence[ApplicationFeatures]) -> ApplicationFeatures:
    """Application features of several sets of applicants (e.g. train then test), one after the other;
    a set without TARGET gets an unknown outcome."""
    numbers = combine_chunks(part.numbers for part in parts)
    targets = [part.target if part.target is not None else np.full(len(part.numbers.applicants), np.nan) for part in parts]
    return ApplicationFeatures(numbers, pl.concat([part.labels for part in parts]), parts[0].columns, np.concatenate(targets))
