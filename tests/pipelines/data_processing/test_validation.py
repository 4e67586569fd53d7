"""Validation rules: each broken rule stops the run with a message naming the file, column and rule."""

from __future__ import annotations

import polars as pl
import pytest

from pret_a_depenser.pipelines.data_processing.nodes import RawDataValidationError, validate_raw_tables

TABLE_ORDER = [
    "application_train",
    "application_test",
    "bureau",
    "bureau_balance",
    "previous_application",
    "POS_CASH_balance",
    "installments_payments",
    "credit_card_balance",
]
PARAMS = {"max_orphan_share": 0.1}


def _validate(tables: dict[str, pl.DataFrame]):
    return validate_raw_tables(*(tables[name] for name in TABLE_ORDER), PARAMS)


def _set_first(frame: pl.DataFrame, column: str, value) -> pl.DataFrame:
    return frame.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(value)).otherwise(pl.col(column)).alias(column))


@pytest.fixture()
def tables(small_raw_tables) -> dict[str, pl.DataFrame]:
    return {name: small_raw_tables[name].clone() for name in TABLE_ORDER}


def test_generated_tables_pass_and_come_back_in_order(tables):
    validated = _validate(tables)
    assert [frame.height for frame in validated] == [tables[name].height for name in TABLE_ORDER]
    assert isinstance(validated[0].schema["NAME_CONTRACT_TYPE"], pl.Categorical)


def test_extra_columns_are_dropped_and_contract_order_restored(tables):
    bureau = tables["bureau"]
    tables["bureau"] = bureau.with_columns(pl.lit(1).alias("EXTRA")).select(["EXTRA", *reversed(bureau.columns)])
    assert _validate(tables)[2].columns == bureau.columns


def test_missing_column_is_named(tables):
    tables["bureau"] = tables["bureau"].drop("CREDIT_ACTIVE")
    with pytest.raises(RawDataValidationError, match=r"bureau\.csv: table fails rule 'column_in_dataframe'.*CREDIT_ACTIVE"):
        _validate(tables)


def test_a_value_outside_its_plausible_range_is_named_with_its_column(tables):
    tables["installments_payments"] = _set_first(tables["installments_payments"], "DAYS_INSTALMENT", -1e9)
    with pytest.raises(
        RawDataValidationError,
        match=r"installments_payments\.csv: column 'DAYS_INSTALMENT' fails rule 'greater_than_or_equal_to\(-73050\)'",
    ):
        _validate(tables)


def test_unparseable_value_is_named_with_its_column(tables):
    train = tables["application_train"]
    tables["application_train"] = train.with_columns(pl.col(name).cast(pl.String) for name in train.columns)
    tables["application_train"] = _set_first(tables["application_train"], "DAYS_BIRTH", "forty years")
    with pytest.raises(
        RawDataValidationError,
        match=r"application_train\.csv: column 'DAYS_BIRTH' fails rule 'coerce_dtype\(Int64\)' .*forty years",
    ):
        _validate(tables)


def test_a_file_with_a_bad_cell_is_read_as_text_and_validation_names_it(tmp_path, small_tables):
    from pret_a_depenser.datasets import RawTableDataset
    from pret_a_depenser.pipelines.data_processing.nodes import validate_table

    path = tmp_path / "bureau.csv"
    frame = small_tables["bureau"].copy()
    frame["DAYS_CREDIT"] = frame["DAYS_CREDIT"].astype(str)
    frame.loc[3, "DAYS_CREDIT"] = "yesterday"
    RawTableDataset(filepath=str(path)).save(frame)
    with pytest.raises(
        RawDataValidationError,
        match=r"bureau\.csv: column 'DAYS_CREDIT' fails rule 'coerce_dtype\(Int64\)' \(1 case\(s\), e.g. 'yesterday'\)",
    ):
        validate_table(RawTableDataset(filepath=str(path)).load(), "bureau.csv")


def test_target_outside_zero_one_is_named(tables):
    tables["application_train"] = _set_first(tables["application_train"], "TARGET", 2)
    with pytest.raises(RawDataValidationError, match=r"application_train\.csv: column 'TARGET' fails rule 'isin\(\[0, 1\]\)'.*2"):
        _validate(tables)


def test_missing_value_in_a_complete_column_is_named(tables):
    tables["bureau"] = _set_first(tables["bureau"], "DAYS_CREDIT", None)
    with pytest.raises(RawDataValidationError, match=r"bureau\.csv: column 'DAYS_CREDIT' fails rule 'not_nullable'"):
        _validate(tables)


def test_duplicate_applicant_key_is_named(tables):
    train = tables["application_train"]
    tables["application_train"] = pl.concat([train, train.head(1)])
    with pytest.raises(RawDataValidationError, match=r"application_train\.csv: column 'SK_ID_CURR' fails rule 'unique' \(2 row"):
        _validate(tables)


def test_duplicate_monthly_key_is_named(tables):
    balance = tables["bureau_balance"]
    tables["bureau_balance"] = pl.concat([balance, balance.tail(1)])
    with pytest.raises(
        RawDataValidationError, match=r"bureau_balance\.csv: column 'SK_ID_BUREAU, MONTHS_BALANCE' fails rule 'unique'"
    ):
        _validate(tables)


def test_unknown_bureau_balance_status_is_named(tables):
    tables["bureau_balance"] = _set_first(tables["bureau_balance"].with_columns(pl.col("STATUS").cast(pl.String)), "STATUS", "9")
    with pytest.raises(RawDataValidationError, match=r"bureau_balance\.csv: column 'STATUS' fails rule 'isin"):
        _validate(tables)


def test_applicant_in_both_train_and_test_is_rejected(tables):
    first_train = tables["application_train"]["SK_ID_CURR"][0]
    tables["application_test"] = _set_first(tables["application_test"], "SK_ID_CURR", first_train)
    with pytest.raises(RawDataValidationError, match=r"application_test\.csv: column 'SK_ID_CURR' fails rule 'disjoint"):
        _validate(tables)


def test_unresolvable_applicant_key_is_named(tables):
    tables["bureau"] = _set_first(tables["bureau"], "SK_ID_CURR", 999_999_999)
    with pytest.raises(
        RawDataValidationError,
        match=r"bureau\.csv: column 'SK_ID_CURR' fails rule 'foreign key -> application_\{train,test\}\.csv'",
    ):
        _validate(tables)


def test_orphan_monthly_rows_tolerated_up_to_the_configured_share(tables):
    balance = tables["bureau_balance"]
    orphans = balance["SK_ID_BUREAU"].unique(maintain_order=True).head(3)
    tables["bureau_balance"] = balance.with_columns(
        pl.when(pl.col("SK_ID_BUREAU").is_in(orphans.implode()))
        .then(pl.col("SK_ID_BUREAU") + 10_000_000)
        .otherwise(pl.col("SK_ID_BUREAU"))
    )
    _validate(tables)  # a few orphans, as in the real files: accepted
    tables["bureau_balance"] = balance.with_columns(pl.col("SK_ID_BUREAU") + 10_000_000)
    with pytest.raises(
        RawDataValidationError, match=r"bureau_balance\.csv: column 'SK_ID_BUREAU' fails rule 'foreign key -> bureau\.csv'"
    ):
        _validate(tables)
