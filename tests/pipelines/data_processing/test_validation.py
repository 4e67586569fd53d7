"""Validation rules: each broken rule stops the run with a message naming the file, column and rule."""

from __future__ import annotations

import pandas as pd
import pytest

from pret_a_depenser.pipelines.data_processing.nodes import RawDataValidationError, validate_raw_tables

TABLE_ORDER = [
    "application_train", "application_test", "bureau", "bureau_balance", "previous_application",
    "POS_CASH_balance", "installments_payments", "credit_card_balance",
]
PARAMS = {"max_orphan_share": 0.1}


def _validate(tables: dict[str, pd.DataFrame]):
    return validate_raw_tables(*(tables[name] for name in TABLE_ORDER), PARAMS)


@pytest.fixture()
def tables(small_raw_tables) -> dict[str, pd.DataFrame]:
    return {name: small_raw_tables[name].copy() for name in TABLE_ORDER}


def test_generated_tables_pass_and_come_back_in_order(tables):
    validated = _validate(tables)
    assert [len(frame) for frame in validated] == [len(tables[name]) for name in TABLE_ORDER]
    assert validated[0]["NAME_CONTRACT_TYPE"].dtype == "str"  # labels coerced to strings


def test_missing_column_is_named(tables):
    tables["bureau"] = tables["bureau"].drop(columns="CREDIT_ACTIVE")
    with pytest.raises(RawDataValidationError, match=r"bureau\.csv: table fails rule 'column_in_dataframe'.*CREDIT_ACTIVE"):
        _validate(tables)


def test_wrong_dtype_is_named(tables):
    tables["application_train"]["DAYS_BIRTH"] = "forty years"
    with pytest.raises(RawDataValidationError, match=r"application_train\.csv: column 'DAYS_BIRTH' fails rule 'coerce_dtype\('int64'\)'"):
        _validate(tables)


def test_target_outside_zero_one_is_named(tables):
    tables["application_train"].loc[0, "TARGET"] = 2
    with pytest.raises(RawDataValidationError, match=r"application_train\.csv: column 'TARGET' fails rule 'isin\(\[0, 1\]\)'.*2"):
        _validate(tables)


def test_duplicate_applicant_key_is_named(tables):
    train = tables["application_train"]
    tables["application_train"] = pd.concat([train, train.head(1)], ignore_index=True)
    with pytest.raises(RawDataValidationError, match=r"application_train\.csv: column 'SK_ID_CURR' fails rule '.*unique"):
        _validate(tables)


def test_unknown_bureau_balance_status_is_named(tables):
    tables["bureau_balance"].loc[0, "STATUS"] = "9"
    with pytest.raises(RawDataValidationError, match=r"bureau_balance\.csv: column 'STATUS' fails rule 'isin"):
        _validate(tables)


def test_applicant_in_both_train_and_test_is_rejected(tables):
    tables["application_test"].loc[0, "SK_ID_CURR"] = tables["application_train"]["SK_ID_CURR"].iloc[0]
    with pytest.raises(RawDataValidationError, match=r"application_test\.csv: column 'SK_ID_CURR' fails rule 'disjoint"):
        _validate(tables)


def test_unresolvable_applicant_key_is_named(tables):
    tables["bureau"].loc[0, "SK_ID_CURR"] = 999_999_999
    with pytest.raises(RawDataValidationError, match=r"bureau\.csv: column 'SK_ID_CURR' fails rule 'foreign key -> application_\{train,test\}\.csv'"):
        _validate(tables)


def test_orphan_monthly_rows_tolerated_up_to_the_configured_share(tables):
    balance = tables["bureau_balance"]
    orphans = balance["SK_ID_BUREAU"].drop_duplicates().head(3)
    balance.loc[balance["SK_ID_BUREAU"].isin(orphans), "SK_ID_BUREAU"] += 10_000_000
    _validate(tables)  # a few orphans, as in the real files: accepted
    balance["SK_ID_BUREAU"] += 10_000_000
    with pytest.raises(RawDataValidationError, match=r"bureau_balance\.csv: column 'SK_ID_BUREAU' fails rule 'foreign key -> bureau\.csv'"):
        _validate(tables)
