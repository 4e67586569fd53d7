"""Raw-data validation: every Kaggle table against its schema, then keys across tables."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa

from pret_a_depenser.raw_contract import raw_table_schema

MAX_REPORTED_FAILURES = 5


class RawDataValidationError(ValueError):
    """A raw file breaks the data contract; the message names the file, the column and the rule."""


def _describe_failures(file_name: str, error: pa.errors.SchemaErrors) -> str:
    cases = error.failure_cases
    lines = []
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
        examples = ", ".join(repr(value) for value in group["failure_case"].head(MAX_REPORTED_FAILURES))
        where = f"column '{column}'" if column != file_name else "table"
        lines.append(f"{file_name}: {where} fails rule '{check}' ({len(group)} case(s), e.g. {examples})")
    return "\n".join(lines)


def validate_table(frame: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """The table with contract dtypes, or a RawDataValidationError listing every broken rule."""
    try:
        return raw_table_schema(file_name).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as error:
        raise RawDataValidationError(_describe_failures(file_name, error)) from None


def _check_foreign_key(child: pd.DataFrame, child_file: str, column: str, parent_keys: pd.Index, parent_file: str, max_orphan_share: float) -> None:
    orphans = ~child[column].isin(parent_keys)
    share = float(orphans.mean()) if len(child) else 0.0
    if share > max_orphan_share:
        examples = child.loc[orphans, column].head(MAX_REPORTED_FAILURES).tolist()
        raise RawDataValidationError(
            f"{child_file}: column '{column}' fails rule 'foreign key -> {parent_file}' "
            f"({orphans.sum()} row(s), {share:.2%} > allowed {max_orphan_share:.2%}, e.g. {examples})"
        )


def validate_raw_tables(
    application_train: pd.DataFrame,
    application_test: pd.DataFrame,
    bureau: pd.DataFrame,
    bureau_balance: pd.DataFrame,
    previous_application: pd.DataFrame,
    pos_cash_balance: pd.DataFrame,
    installments_payments: pd.DataFrame,
    credit_card_balance: pd.DataFrame,
    parameters: dict[str, Any],
) -> tuple[pd.DataFrame, ...]:
    """All eight tables validated, in input order; nothing downstream runs if any rule breaks.

    ``SK_ID_CURR`` in every table must belong to a train or test applicant. The real files have a few
    bureau_balance / monthly rows whose ``SK_ID_BUREAU`` / ``SK_ID_PREV`` is absent from the parent table,
    so those keys tolerate ``max_orphan_share`` unmatched rows.
    """
    tables = {
        "application_train.csv": application_train, "application_test.csv": application_test,
        "bureau.csv": bureau, "bureau_balance.csv": bureau_balance,
        "previous_application.csv": previous_application, "POS_CASH_balance.csv": pos_cash_balance,
        "installments_payments.csv": installments_payments, "credit_card_balance.csv": credit_card_balance,
    }
    validated = {file_name: validate_table(frame, file_name) for file_name, frame in tables.items()}

    train_ids = pd.Index(validated["application_train.csv"]["SK_ID_CURR"])
    test_ids = pd.Index(validated["application_test.csv"]["SK_ID_CURR"])
    shared = train_ids.intersection(test_ids)
    if len(shared):
        raise RawDataValidationError(
            f"application_test.csv: column 'SK_ID_CURR' fails rule 'disjoint from application_train.csv' "
            f"({len(shared)} applicant(s), e.g. {shared[:MAX_REPORTED_FAILURES].tolist()})"
        )
    applicants = train_ids.append(test_ids)
    for file_name in ("bureau.csv", "previous_application.csv", "POS_CASH_balance.csv", "installments_payments.csv", "credit_card_balance.csv"):
        _check_foreign_key(validated[file_name], file_name, "SK_ID_CURR", applicants, "application_{train,test}.csv", 0.0)
    orphan_share = float(parameters["max_orphan_share"])
    bureau_ids = pd.Index(validated["bureau.csv"]["SK_ID_BUREAU"])
    _check_foreign_key(validated["bureau_balance.csv"], "bureau_balance.csv", "SK_ID_BUREAU", bureau_ids, "bureau.csv", orphan_share)
    previous_ids = pd.Index(validated["previous_application.csv"]["SK_ID_PREV"])
    for file_name in ("POS_CASH_balance.csv", "installments_payments.csv", "credit_card_balance.csv"):
        _check_foreign_key(validated[file_name], file_name, "SK_ID_PREV", previous_ids, "previous_application.csv", orphan_share)
    return tuple(validated.values())
