"""Raw-data validation: every Kaggle table against its schema, then keys across tables.

Column rules run on pandera's polars backend (vectorised, no pandas copy of the tables); key uniqueness
and foreign keys are polars expressions over whole columns.
"""

from __future__ import annotations

from typing import Any

import pandera.polars as pa
import polars as pl

from pret_a_depenser.raw_contract import RAW_TABLES, raw_table_dtypes, raw_table_schema

MAX_REPORTED_FAILURES = 5


class RawDataValidationError(ValueError):
    """A raw file breaks the data contract; the message names the file, the column and the rule."""


def _examples(values: pl.Series) -> str:
    return ", ".join(repr(value) for value in values.head(MAX_REPORTED_FAILURES).to_list())


def _describe_failures(file_name: str, error: pa.errors.SchemaErrors) -> str:
    cases = error.failure_cases.with_columns(pl.col("column").fill_null(file_name))
    lines = []
    for (column, check), group in cases.group_by(["column", "check"], maintain_order=True):
        where = f"column '{column}'" if column != file_name else "table"
        lines.append(
            f"{file_name}: {where} fails rule '{check}' ({group.height} case(s), e.g. {_examples(group['failure_case'])})"
        )
    return "\n".join(lines)


def _with_contract_dtypes(frame: pl.DataFrame, file_name: str) -> pl.DataFrame:
    """Contract columns in contract order and dtypes; a value that cannot be converted is named."""
    dtypes = raw_table_dtypes(file_name)
    missing = [name for name in dtypes if name not in frame.columns]
    if missing:
        raise RawDataValidationError(
            f"{file_name}: table fails rule 'column_in_dataframe' (missing column(s): {', '.join(missing)})"
        )
    frame = frame.select(list(dtypes))
    to_convert = [name for name, dtype in dtypes.items() if frame.schema[name] != dtype]
    if not to_convert:
        return frame
    converted = frame.with_columns(pl.col(name).cast(dtypes[name], strict=False) for name in to_convert)
    for name in to_convert:
        unparsed = frame[name].filter(frame[name].is_not_null() & converted[name].is_null())
        if unparsed.len():
            raise RawDataValidationError(
                f"{file_name}: column '{name}' fails rule 'coerce_dtype({dtypes[name]})' ({unparsed.len()} case(s), e.g. {_examples(unparsed)})"
            )
    return converted


def _unique_key(frame: pl.DataFrame, keys: list[str]) -> pl.Expr:
    """One exact integer per key combination: two integer keys are packed into one Int64 when their
    ranges allow it (into an Int128 otherwise), ten times faster than hashing row structs."""
    if len(keys) == 1:
        return pl.col(keys[0])
    if len(keys) == 2:
        ranges = frame.select(
            *(pl.col(key).min().alias(f"{key}_min") for key in keys), *(pl.col(key).max().alias(f"{key}_max") for key in keys)
        ).row(0)
        low_first, low_second, high_first, high_second = ranges
        width = high_second - low_second + 1
        if (high_first - low_first + 1) * width < 2**62:
            return (pl.col(keys[0]) - low_first) * width + (pl.col(keys[1]) - low_second)
        return pl.col(keys[0]).cast(pl.Int128) * 2**64 + (pl.col(keys[1]).cast(pl.Int128) + 2**63)
    return pl.struct(keys)


def _check_unique(frame: pl.DataFrame, keys: list[str], file_name: str) -> None:
    if not keys or frame.is_empty() or frame.height == frame.select(_unique_key(frame, keys).n_unique()).item():
        return
    duplicated = frame.filter(pl.struct(keys).is_duplicated()).select(keys)
    examples = _examples(pl.Series(duplicated.rows()) if len(keys) > 1 else duplicated[keys[0]])
    raise RawDataValidationError(
        f"{file_name}: column '{', '.join(keys)}' fails rule 'unique' ({duplicated.height} row(s), e.g. {examples})"
    )


def validate_table(frame: pl.DataFrame, file_name: str) -> pl.DataFrame:
    """The table with the contract's columns and dtypes, or a RawDataValidationError listing every broken rule."""
    frame = _with_contract_dtypes(frame, file_name)
    try:
        raw_table_schema(file_name).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as error:
        raise RawDataValidationError(_describe_failures(file_name, error)) from None
    _check_unique(frame, RAW_TABLES[file_name][1], file_name)
    return frame


def _check_foreign_key(
    child: pl.DataFrame, child_file: str, column: str, parent_keys: pl.Series, parent_file: str, max_orphan_share: float
) -> None:
    orphans = ~child[column].is_in(parent_keys.implode())
    count = int(orphans.sum())
    share = count / child.height if child.height else 0.0
    if share > max_orphan_share:
        raise RawDataValidationError(
            f"{child_file}: column '{column}' fails rule 'foreign key -> {parent_file}' "
            f"({count} row(s), {share:.2%} > allowed {max_orphan_share:.2%}, e.g. {_examples(child[column].filter(orphans))})"
        )


def validate_raw_tables(
    application_train: pl.DataFrame,
    application_test: pl.DataFrame,
    bureau: pl.DataFrame,
    bureau_balance: pl.DataFrame,
    previous_application: pl.DataFrame,
    pos_cash_balance: pl.DataFrame,
    installments_payments: pl.DataFrame,
    credit_card_balance: pl.DataFrame,
    parameters: dict[str, Any],
) -> tuple[pl.DataFrame, ...]:
    """All eight tables validated, in input order; nothing downstream runs if any rule breaks.

    ``SK_ID_CURR`` in every table must belong to a train or test applicant. The real files have a few
    bureau_balance / monthly rows whose ``SK_ID_BUREAU`` / ``SK_ID_PREV`` is absent from the parent table,
    so those keys tolerate ``max_orphan_share`` unmatched rows.
    """
    tables = {
        "application_train.csv": application_train,
        "application_test.csv": application_test,
        "bureau.csv": bureau,
        "bureau_balance.csv": bureau_balance,
        "previous_application.csv": previous_application,
        "POS_CASH_balance.csv": pos_cash_balance,
        "installments_payments.csv": installments_payments,
        "credit_card_balance.csv": credit_card_balance,
    }
    validated = {file_name: validate_table(frame, file_name) for file_name, frame in tables.items()}

    train_ids = validated["application_train.csv"]["SK_ID_CURR"]
    test_ids = validated["application_test.csv"]["SK_ID_CURR"]
    shared = test_ids.filter(test_ids.is_in(train_ids.implode()))
    if shared.len():
        raise RawDataValidationError(
            f"application_test.csv: column 'SK_ID_CURR' fails rule 'disjoint from application_train.csv' "
            f"({shared.len()} applicant(s), e.g. {shared.head(MAX_REPORTED_FAILURES).to_list()})"
        )
    applicants = pl.concat([train_ids, test_ids])
    for file_name in (
        "bureau.csv",
        "previous_application.csv",
        "POS_CASH_balance.csv",
        "installments_payments.csv",
        "credit_card_balance.csv",
    ):
        _check_foreign_key(validated[file_name], file_name, "SK_ID_CURR", applicants, "application_{train,test}.csv", 0.0)
    orphan_share = parameters["max_orphan_share"]
    bureau_ids = validated["bureau.csv"]["SK_ID_BUREAU"]
    _check_foreign_key(
        validated["bureau_balance.csv"], "bureau_balance.csv", "SK_ID_BUREAU", bureau_ids, "bureau.csv", orphan_share
    )
    previous_ids = validated["previous_application.csv"]["SK_ID_PREV"]
    for file_name in ("POS_CASH_balance.csv", "installments_payments.csv", "credit_card_balance.csv"):
        _check_foreign_key(validated[file_name], file_name, "SK_ID_PREV", previous_ids, "previous_application.csv", orphan_share)
    return tuple(validated.values())
