"""The feature transform: raw Kaggle-format tables + feature spec -> one row per applicant.

The same functions build the training table, the test table and any later batch (one applicant or
356,255): each applicant's row depends only on that applicant's rows and on the spec.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from pret_a_depenser.raw_contract import empty_raw_table

from .aggregation import APPLICANT_KEY
from .application import application_features
from .bureau import bureau_features
from .credit_card import credit_card_features
from .installments import installments_features
from .pos_cash import pos_cash_features
from .previous_application import previous_application_features
from .spec import SPEC_FORMAT, check_columns, describe_columns, fit_category_levels, spec_version

# Table name (as in requests and the catalog) -> Kaggle file of its contract.
TABLE_FILES = {
    "application": "application_test.csv",
    "bureau": "bureau.csv",
    "bureau_balance": "bureau_balance.csv",
    "previous_application": "previous_application.csv",
    "POS_CASH_balance": "POS_CASH_balance.csv",
    "installments_payments": "installments_payments.csv",
    "credit_card_balance": "credit_card_balance.csv",
}
SECONDARY_SOURCES = ("bureau", "previous_application", "pos_cash", "installments", "credit_card")


def secondary_features(tables: Mapping[str, pl.DataFrame], spec: dict[str, Any]) -> list[pl.DataFrame]:
    """Per-applicant features of each secondary table, in the order of ``SECONDARY_SOURCES``."""
    return [
        bureau_features(tables["bureau"], tables["bureau_balance"], spec),
        previous_application_features(tables["previous_application"], spec),
        pos_cash_features(tables["POS_CASH_balance"], spec),
        installments_features(tables["installments_payments"], spec),
        credit_card_features(tables["credit_card_balance"], spec),
    ]


def _joined(applications: pl.DataFrame, parts: Sequence[pl.DataFrame]) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Each part aligned to the applicants' rows and put side by side: the wide table is built once.

    An applicant with no row in a table gets 0 in that table's counts (the only integer columns of the
    parts) and missing statistics and shares.
    """
    keys = applications.select(APPLICANT_KEY)
    aligned = [keys.join(part, on=APPLICANT_KEY, how="left", maintain_order="left").drop(APPLICANT_KEY) for part in parts]
    counts = [name for part in aligned for name, dtype in part.schema.items() if dtype.is_integer()]
    return pl.concat([applications, *aligned], how="horizontal").with_columns(pl.col(counts).fill_null(0)), aligned


def assemble_features(applications: pl.DataFrame, parts: Sequence[pl.DataFrame], spec: dict[str, Any]) -> pl.DataFrame:
    """The application features joined with every secondary table's, checked against the spec's columns."""
    features, _ = _joined(applications, parts)
    check_columns(features, spec)
    return features


def with_empty_tables(tables: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The tables, with an empty contract table for each one absent (an applicant without such records)."""
    return {name: tables[name] if name in tables else empty_raw_table(file_name) for name, file_name in TABLE_FILES.items()}


def build_features(tables: Mapping[str, pl.DataFrame], spec: dict[str, Any]) -> pl.DataFrame:
    """One feature row per applicant of ``tables["application"]``, with the spec's columns in order.

    ``tables`` maps table names (``TABLE_FILES``) to frames of validated raw rows; a missing secondary
    table means no rows. ``TARGET`` is kept when the application rows have it.
    """
    complete = with_empty_tables(tables)
    return assemble_features(application_features(complete["application"], spec), secondary_features(complete, spec), spec)


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
    tables = {
        "bureau": bureau, "bureau_balance": bureau_balance, "previous_application": previous_application,
        "POS_CASH_balance": pos_cash_balance, "credit_card_balance": credit_card_balance,
    }
    training_applicants = application_train[APPLICANT_KEY]
    spec: dict[str, Any] = {
        "format": SPEC_FORMAT,
        "parameters": parameters,
        "category_levels": fit_category_levels(tables, training_applicants, int(parameters["max_category_levels"])),
    }
    empty = with_empty_tables({})
    applications = application_features(empty["application"], spec)
    features, aligned = _joined(applications, secondary_features(empty, spec))
    sources = [("application", applications.columns), *zip(SECONDARY_SOURCES, (part.columns for part in aligned), strict=True)]
    spec["columns"] = describe_columns(features.schema, sources)
    spec["fitted_on"] = {"applicants": len(training_applicants)}
    spec["version"] = spec_version(spec)
    return spec


def unseen_category_levels(tables: Mapping[str, pl.DataFrame], spec: dict[str, Any], max_labels: int = 10) -> dict[str, Any]:
    """Rows whose label has no share feature (never seen in training, or too rare to be kept), per column.

    Such a row counts in none of its column's ``*_SHARE`` features; this says how many there are.
    """
    columns = {}
    for table, levels in spec["category_levels"].items():
        if table not in tables:
            continue
        for column, column_levels in levels.items():
            labels = tables[table][column]
            unseen = labels.filter(labels.is_not_null() & ~labels.is_in(column_levels)).cast(pl.String)
            if unseen.len():
                counts = unseen.value_counts(sort=True, name="rows").head(max_labels)
                columns[f"{table}.{column}"] = {"rows": unseen.len(), "labels": dict(counts.iter_rows())}
    return {"feature_spec_version": spec["version"], "rows": sum(entry["rows"] for entry in columns.values()), "columns": columns}
