"""Example requests: a few test applicants' records as a lender sends them to the service."""

from __future__ import annotations

from typing import Any

import polars as pl

from pret_a_depenser.constants import APPLICANT_KEY
from pret_a_depenser.scoring.records import applicant_records


def example_applicants(
    application_test: pl.DataFrame,
    bureau: pl.DataFrame,
    bureau_balance: pl.DataFrame,
    previous_application: pl.DataFrame,
    pos_cash_balance: pl.DataFrame,
    installments_payments: pl.DataFrame,
    credit_card_balance: pl.DataFrame,
    parameters: dict[str, Any],
) -> list[dict[str, Any]]:
    """The records of the test applicants with rows in the most tables and, among those, a history
    closest to the median size (rows over all tables), ties broken by SK_ID_CURR, among the first ``n_candidates`` test applicants (so that only
    their rows are read out of the big tables): typical requests for the MLflow model's input example,
    the README and the latency benchmark."""
    candidates = application_test.get_column(APPLICANT_KEY).head(parameters["n_candidates"]).implode()
    history = {
        "bureau": bureau,
        "previous_application": previous_application,
        "POS_CASH_balance": pos_cash_balance,
        "installments_payments": installments_payments,
        "credit_card_balance": credit_card_balance,
    }
    tables = {name: frame.filter(pl.col(APPLICANT_KEY).is_in(candidates)) for name, frame in history.items()}
    tables["bureau_balance"] = bureau_balance.filter(
        pl.col("SK_ID_BUREAU").is_in(tables["bureau"].get_column("SK_ID_BUREAU").implode())
    )
    tables["application"] = application_test.filter(pl.col(APPLICANT_KEY).is_in(candidates))
    monthly = tables["bureau_balance"].join(
        tables["bureau"].select(APPLICANT_KEY, "SK_ID_BUREAU"), on="SK_ID_BUREAU", how="inner"
    )
    counts = pl.concat(
        [
            frame.select(APPLICANT_KEY, pl.lit(name).alias("table"))
            for name, frame in (*((name, tables[name]) for name in history), ("bureau_balance", monthly))
        ]
    )
    per_applicant = counts.group_by(APPLICANT_KEY).agg(pl.len().alias("rows"), pl.col("table").n_unique().alias("tables"))
    sizes = tables["application"].select(APPLICANT_KEY).join(per_applicant, on=APPLICANT_KEY, how="left").fill_null(0)
    median = sizes["rows"].median() or 0
    chosen = sizes.sort(["tables", (pl.col("rows") - median).abs(), APPLICANT_KEY], descending=[True, False, False]).head(
        parameters["n_examples"]
    )
    return applicant_records(tables, chosen[APPLICANT_KEY].to_list())
