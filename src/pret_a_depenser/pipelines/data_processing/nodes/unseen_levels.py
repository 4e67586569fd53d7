"""How many rows carry a label with no share feature, so that drift in the categories is visible."""

from __future__ import annotations

from typing import Any

import polars as pl

from pret_a_depenser.features import secondary_tables, unseen_category_levels


def unseen_category_levels_report(
    bureau: pl.DataFrame,
    bureau_balance: pl.DataFrame,
    previous_application: pl.DataFrame,
    pos_cash_balance: pl.DataFrame,
    credit_card_balance: pl.DataFrame,
    feature_spec: dict[str, Any],
) -> dict[str, Any]:
    """Per table and column: rows (train and test applicants) whose label is not one of the spec's levels."""
    return unseen_category_levels(
        secondary_tables(bureau, bureau_balance, previous_application, pos_cash_balance, credit_card_balance), feature_spec
    )
