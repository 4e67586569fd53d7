"""The feature transform: raw Kaggle-format tables + feature spec -> one row per applicant.

The same functions build the training table, the test table and any later batch (one applicant or
356,255): each applicant's row depends only on that applicant's rows and on the spec.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from pret_a_depenser.constants import APPLICANT_KEY
from pret_a_depenser.raw_contract import TABLE_FILES, empty_raw_table

from .aggregation import FeatureBlock, empty_block, label_counts
from .application import ApplicationFeatures, application_features
from .bureau import bureau_features
from .column_table import RawTable
from .credit_card import credit_card_features
from .installments import installments_features
from .pos_cash import pos_cash_features
from .previous_application import previous_application_features
from .rows import FeatureRows
from .spec import SPEC_FORMAT, check_columns, describe_columns, fit_category_levels, spec_version

SECONDARY_SOURCES = ("bureau", "previous_application", "pos_cash", "installments", "credit_card")
CHECKED_LAYOUTS: set[tuple] = set()  # (spec version, column counts) already checked against the spec


def secondary_features(
    tables: Mapping[str, RawTable], spec: dict[str, Any], applicants: np.ndarray | None = None
) -> tuple[FeatureBlock, ...]:
    """Per-applicant features of each secondary table, in the order of ``SECONDARY_SOURCES``; one
    column per applicant of ``applicants`` when given. With a feature plan, a table none of whose
    columns is planned is not read."""
    read = spec["plan"]["sources"] if "plan" in spec else SECONDARY_SOURCES
    builders = {
        "bureau": lambda: bureau_features(tables["bureau"], tables["bureau_balance"], spec, applicants),
        "previous_application": lambda: previous_application_features(tables["previous_application"], spec, applicants),
        "pos_cash": lambda: pos_cash_features(tables["POS_CASH_balance"], spec, applicants),
        "installments": lambda: installments_features(tables["installments_payments"], spec, applicants),
        "credit_card": lambda: credit_card_features(tables["credit_card_balance"], spec, applicants),
    }
    return tuple(builders[source]() if source in read else empty_block(source, applicants) for source in SECONDARY_SOURCES)


def assemble_features(application: ApplicationFeatures, secondary: Sequence[FeatureBlock], spec: dict[str, Any]) -> FeatureRows:
    """The application features with every secondary table's, checked against the spec's columns.

    An applicant with no row in a table gets 0 in that table's counts and missing statistics and shares.
    """
    rows = FeatureRows(application, tuple(secondary))
    if "plan" in spec:  # a plan's columns are a subset of the checked spec's; a missing one fails where it is read
        return rows
    checked = (spec.get("version"), len(application.columns), tuple(len(block.names) for block in rows.secondary))
    if checked[0] is None or checked not in CHECKED_LAYOUTS:  # the columns depend on the spec only: compared once per layout
        check_columns(rows.columns, spec)
        CHECKED_LAYOUTS.add(checked)
    return rows


def with_empty_tables(tables: Mapping[str, RawTable]) -> dict[str, RawTable]:
    """The tables, with an empty contract table for each one absent (an applicant without such records)."""
    return {name: tables[name] if name in tables else empty_raw_table(file_name) for name, file_name in TABLE_FILES.items()}


def transform(tables: Mapping[str, RawTable], spec: dict[str, Any]) -> FeatureRows:
    """One feature row per applicant of ``tables["application"]``, with the spec's columns in order.

    ``tables`` maps table names (``TABLE_FILES``) to frames of validated raw rows; a missing secondary
    table means no rows. ``TARGET`` is kept when the application rows have it.
    """
    complete = with_empty_tables(tables)
    application = application_features(complete["application"], spec)
    return assemble_features(application, secondary_features(complete, spec, application.numbers.applicants), spec)


def build_features(tables: Mapping[str, pl.DataFrame], spec: dict[str, Any]) -> pl.DataFrame:
    """``transform`` as a frame: SK_ID_CURR, TARGET when known, then the spec's columns."""
    return transform(tables, spec).to_frame()


def fit_feature_spec(
    application_train: pl.DataFrame,
    bureau: pl.DataFrame,
    bureau_balance: pl.DataFrame,
    previous_application: pl.DataFrame,
    pos_cash_balance: pl.DataFrame,
    credit_card_balance: pl.DataFrame,
    parameters: dict[str, Any],
) -> dict[str, Any]:
    """The feature spec fitted on the training applicants (those of ``application_train``) and their rows.

    The output columns come from running the transform on empty tables: they depend on the spec only,
    never on which applicants a batch holds.
    """
    tables = secondary_tables(bureau, bureau_balance, previous_application, pos_cash_balance, credit_card_balance)
    training_applicants = application_train[APPLICANT_KEY].to_numpy()
    spec: dict[str, Any] = {
        "format": SPEC_FORMAT,
        "parameters": parameters,
        "category_levels": fit_category_levels(tables, training_applicants, int(parameters["max_category_levels"])),
    }
    empty = with_empty_tables({})
    rows = FeatureRows(application_features(empty["application"], spec), secondary_features(empty, spec))
    spec["columns"] = describe_columns(rows.columns, rows.sources)
    spec["fitted_on"] = {"applicants": len(training_applicants)}
    spec["version"] = spec_version(spec)
    return spec


def secondary_tables(
    bureau: pl.DataFrame,
    bureau_balance: pl.DataFrame,
    previous_application: pl.DataFrame,
    pos_cash_balance: pl.DataFrame,
    credit_card_balance: pl.DataFrame,
) -> dict[str, pl.DataFrame]:
    """The tables with share features, by table name."""
    return {
        "bureau": bureau,
        "bureau_balance": bureau_balance,
        "previous_application": previous_application,
        "POS_CASH_balance": pos_cash_balance,
        "credit_card_balance": credit_card_balance,
    }


def unseen_category_levels(tables: Mapping[str, pl.DataFrame], spec: dict[str, Any], max_labels: int = 10) -> dict[str, Any]:
    """Rows whose label has no share feature (never seen in training, or too rare to be kept), per column.

    Such a row counts in none of its column's ``*_SHARE`` features; this says how many there are.
    """
    columns = {}
    for table, levels in spec["category_levels"].items():
        if table not in tables:
            continue
        for column, column_levels in levels.items():
            kept = set(column_levels)
            unseen = {label: rows for label, rows in label_counts(tables[table][column]).items() if label not in kept}
            if unseen:
                top = sorted(unseen, key=lambda label: (-unseen[label], label))[:max_labels]
                columns[f"{table}.{column}"] = {"rows": sum(unseen.values()), "labels": {label: unseen[label] for label in top}}
    return {"feature_spec_version": spec["version"], "rows": sum(entry["rows"] for entry in columns.values()), "columns": columns}
