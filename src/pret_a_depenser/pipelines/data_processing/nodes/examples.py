"""Example requests: a few test applicants' records as a lender sends them to the service."""

from __future__ import annotations

from typing import Any

import polars as pl

from pret_a_depenser.scoring.records import APPLICANT_KEY, applicant_records


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
    """The records of the test applicants whose history is closest to the median size (rows over all
    tables), ties broken by SK_ID_CURR: typical requests for the MLflow model's input example, the
    README and the latency benchmark."""
    tables = {
        "application": application_test, "bureau": bureau, "bureau_balance": bureau_balance, "previous_application": previous_application,
        "POS_CASH_balance": pos_cash_balance, "installments_payments": installments_payments, "credit_card_balance": credit_card_balance,
    }
    monthly = bureau_balance.join(bureau.select(APPLICANT_KEY, "SK_ID_BUREAU"), on="SK_ID_BUREAU", how="inner")
    counts = pl.concat([frame.select(APPLICANT_KEY) for frame in (bureau, monthly, previous_application, pos_cash_balance, installments_payments, credit_card_balance)])
    sizes = application_test.select(APPLICANT_KEY).join(counts.group_by(APPLICANT_KEY).len(), on=APPLICANT_KEY, how="left").fill_null(0)
    median = sizes["len"].median() or 0
    chosen = sizes.sort((pl.col("len") - median).abs(), APPLICANT_KEY).head(int(parameters["n_examples"]))
    return applicant_records(tables, chosen[APPLICANT_KEY].to_list())
