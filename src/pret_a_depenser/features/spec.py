"""The feature spec: everything the feature definition learns from the training applicants.

Fitted once on the training applicants' raw tables, it records the category levels of every share
feature (the most frequent ``max_category_levels`` labels of each column), the parameters of the
definition (statistics, windows, sentinels) and the ordered output columns with their dtypes and
source table. ``version`` hashes all of it: two specs with the same version build the same features.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

import numpy as np
import polars as pl

from pret_a_depenser.constants import APPLICANT_KEY

from .aggregation import key_membership, label_counts
from .bureau import SHARE_COLUMNS as BUREAU_SHARE_COLUMNS
from .credit_card import SHARE_COLUMNS as CREDIT_CARD_SHARE_COLUMNS
from .pos_cash import SHARE_COLUMNS as POS_CASH_SHARE_COLUMNS
from .previous_application import SHARE_COLUMNS as PREVIOUS_SHARE_COLUMNS

SPEC_FORMAT = 1
SHARE_COLUMNS: dict[str, list[str]] = {
    **BUREAU_SHARE_COLUMNS,
    **PREVIOUS_SHARE_COLUMNS,
    **POS_CASH_SHARE_COLUMNS,
    **CREDIT_CARD_SHARE_COLUMNS,
}


class FeatureSpecError(ValueError):
    """A feature spec that does not match the feature definition of this code (refit it)."""


def most_frequent_levels(counts: dict[str, int], max_levels: int) -> list[str]:
    """At most ``max_levels`` labels, most frequent first (ties by label), returned sorted by label."""
    return sorted(sorted(counts, key=lambda label: (-counts[label], label))[:max_levels])


def fit_category_levels(
    tables: dict[str, pl.DataFrame], training_applicants: np.ndarray, max_levels: int
) -> dict[str, dict[str, list[str]]]:
    """Levels of every share feature, from the training applicants' rows only."""
    training_rows = {
        table: key_membership(tables[table][APPLICANT_KEY].to_numpy(), training_applicants)
        for table in SHARE_COLUMNS
        if table != "bureau_balance"
    }
    training_credits = tables["bureau"]["SK_ID_BUREAU"].to_numpy()[training_rows["bureau"]]
    training_rows["bureau_balance"] = key_membership(tables["bureau_balance"]["SK_ID_BUREAU"].to_numpy(), training_credits)
    return {
        table: {
            column: most_frequent_levels(label_counts(tables[table][column], training_rows[table]), max_levels)
            for column in columns
        }
        for table, columns in SHARE_COLUMNS.items()
    }


def feature_plan(spec: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The fitted spec restricted to the output columns ``names`` (e.g. the features a model reads):
    ``transform`` with it computes those columns only, with the same values as the full transform, and
    skips the tables and statistics nothing in it reads. Its ``version`` stays the fitted spec's.
    ``plan["wanted"]`` is the columns as one frozenset, shared by every call: the layouts derived from
    a plan are cached by it, and a set built anew per call would be hashed and compared whole each time."""
    known = {column["name"] for column in spec["columns"]}
    names = list(dict.fromkeys(names))
    unknown = [name for name in names if name not in known]
    if unknown:
        raise FeatureSpecError(
            f"{len(unknown)} planned columns are not in feature spec {spec.get('version')}, e.g. {unknown[:5]}: "
            "the model and the spec come from different runs"
        )
    source_of = {column["name"]: column["source"] for column in spec["columns"]}
    plan = {"columns": names, "sources": sorted({source_of[name] for name in names}), "wanted": frozenset(names)}
    return {**spec, "plan": plan}


def spec_version(spec: dict[str, Any]) -> str:
    """Short hash of the definition (parameters, levels, columns), independent of key order."""
    definition = {key: spec[key] for key in ("format", "parameters", "category_levels", "columns")}
    return hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()[:12]


def describe_columns(columns: Iterable[tuple[str, str]], sources: Iterable[tuple[str, Iterable[str]]]) -> list[dict[str, str]]:
    """The spec's ``columns``: name, dtype and source table of every output column, in order."""
    source_of = {name: source for source, names in sources for name in names}
    return [{"name": name, "dtype": dtype, "source": source_of[name]} for name, dtype in columns]


def check_columns(built: list[tuple[str, str]], spec: dict[str, Any]) -> None:
    """The built columns (name, dtype) must be the spec's, in order and with its dtypes."""
    columns = spec["columns"]
    if len(built) == len(columns) and all(
        name == column["name"] and dtype == column["dtype"] for (name, dtype), column in zip(built, columns, strict=True)
    ):
        return
    expected = [(column["name"], column["dtype"]) for column in columns]
    if built != expected:
        difference = next(
            ((b, e) for b, e in zip(built, expected, strict=False) if b != e),
            (built[len(expected) :][:1], expected[len(built) :][:1]),
        )
        raise FeatureSpecError(
            f"feature spec {spec.get('version')} does not match this feature definition "
            f"({len(built)} columns built, {len(expected)} in the spec; first difference: built {difference[0]}, spec {difference[1]}): "
            "refit it with `kedro run --pipelines data_processing`"
        )
