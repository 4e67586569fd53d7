"""How many rows carry a label with no share feature, so that drift in the categories is visible."""

from __future__ import annotations

from typing import Any

import polars as pl

from pret_a_depenser.features import unseen_category_levels


def unseen_category_levels_report(
    bureau: pl.DataFrame,
    bureau_balance: pl.DataFrame,
    previous_application: pl.DataFrame,
    pos_cash_balance: pl.DataFrame,
    credit_card_balance: pl.DataFrame,
    feature_spec: dict[str, Any],
) -> dict[str, Any]:
    """Per table and column: rows (train and test applicants) whose label is not one of the spec's levels."""
    tables = {
        "bureau": bureau, "bureau_balance": bureau_balance, "previous_application": previous_application,
        "POS_CASH_balance": pos_cash_balance, "credit_card_balance": credit_card_balance,
    }
    return unseen_category_levels(tables, feature_spec)
