"""Node tests on tiny hand-made frames: every aggregation checked against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from pret_a_depenser.features import (
    ApplicationFeatures,
    FeatureBlock,
    FeatureRows,
    application_features,
    bureau_features,
    credit_card_features,
    installments_features,
    pos_cash_features,
    previous_application_features,
)
from pret_a_depenser.features.aggregation import feature_level_name
from pret_a_depenser.pipelines.data_processing.nodes import model_input_tables

STATS = ["min", "max", "mean", "sum", "var"]
PARAMETERS = {
    "statistics": STATS,
    "max_category_levels": 30,
    "days_sentinel": 365243,
    "unknown_labels": ["XNA", "Unknown"],
    "bureau": {"max_days_back": 36525, "recent_days": 365},
    "previous_application": {"recent_days": 365},
    "pos_cash": {"recent_months": 12},
    "installments": {"recent_days": 365},
    "credit_card": {"recent_months": 12},
}


def _spec(**levels) -> dict:
    return {"parameters": PARAMETERS, "category_levels": levels}


def _frame(features: FeatureBlock | ApplicationFeatures) -> pl.DataFrame:
    return features.to_frame() if isinstance(features, FeatureBlock) else FeatureRows(features, ()).to_frame()


def _row(features: FeatureBlock | ApplicationFeatures, sk_id_curr: int) -> dict:
    frame = _frame(features)
    rows = frame.filter(pl.col("SK_ID_CURR") == sk_id_curr).to_dicts()
    assert len(rows) == 1
    return {name: (math.nan if value is None else value) for name, value in rows[0].items()}


def isna(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def test_statistics_are_float32_counts_int64_and_overflowing_sums_missing():
    pos = pl.DataFrame(
        {
            "SK_ID_PREV": [1, 1, 2],
            "SK_ID_CURR": [1, 1, 2],
            "MONTHS_BALANCE": [-1, -2, -1],
            "CNT_INSTALMENT": [3e38, 3e38, 1.5],
            "CNT_INSTALMENT_FUTURE": [1.0, 1.0, 1.0],
            "NAME_CONTRACT_STATUS": ["Active", "Active", "Active"],
            "SK_DPD": [0, 0, 0],
            "SK_DPD_DEF": [0, 0, 0],
        }
    )
    features = pos_cash_features(pos, _spec(POS_CASH_balance={"NAME_CONTRACT_STATUS": ["Active"]})).to_frame()
    assert features.schema["POS_CNT_INSTALMENT_SUM"] == pl.Float32 and features.schema["POS_COUNT"] == pl.Int64
    assert features["POS_CNT_INSTALMENT_SUM"].to_list() == [None, 1.5]  # 6e38 overflows float32
    assert features["POS_CNT_INSTALMENT_MAX"].to_list()[1] == 1.5


def test_feature_level_name_is_upper_snake_case():
    assert feature_level_name("Stone, brick") == "STONE_BRICK"
    assert feature_level_name("Cash X-Sell: low") == "CASH_X_SELL_LOW"
    assert feature_level_name("") == "EMPTY"


def _applications():
    base = {
        "NAME_CONTRACT_TYPE": "Cash loans",
        "CODE_GENDER": "F",
        "AMT_INCOME_TOTAL": 100000.0,
        "AMT_CREDIT": 500000.0,
        "AMT_ANNUITY": 25000.0,
        "AMT_GOODS_PRICE": 400000.0,
        "CNT_CHILDREN": 1,
        "CNT_FAM_MEMBERS": 4.0,
        "DAYS_BIRTH": -14610,
        "DAYS_EMPLOYED": -1461,
        "DAYS_REGISTRATION": -2000.0,
        "DAYS_ID_PUBLISH": -1000,
        "DAYS_LAST_PHONE_CHANGE": -500.0,
        "OWN_CAR_AGE": None,
        "EXT_SOURCE_1": 0.2,
        "EXT_SOURCE_2": 0.4,
        "EXT_SOURCE_3": 0.6,
        "FLAG_DOCUMENT_2": 0,
        "FLAG_DOCUMENT_3": 1,
    }
    rows = [
        {**base, "SK_ID_CURR": 1, "TARGET": 1},
        {**base, "SK_ID_CURR": 2, "TARGET": 0, "DAYS_EMPLOYED": 365243, "CODE_GENDER": "XNA", "EXT_SOURCE_1": None},
        {**base, "SK_ID_CURR": 3, "TARGET": None, "AMT_ANNUITY": 0.0},
    ]
    return pl.DataFrame(rows).with_columns(pl.col("OWN_CAR_AGE").cast(pl.Float64))


def test_application_features_ratios_and_cleaning():
    features = application_features(_applications(), _spec())
    first = _row(features, 1)
    assert first["APP_CREDIT_INCOME_RATIO"] == pytest.approx(5.0)
    assert first["APP_ANNUITY_INCOME_RATIO"] == pytest.approx(0.25)
    assert first["APP_PAYMENT_RATE"] == pytest.approx(0.05)
    assert first["APP_CREDIT_TERM_MONTHS"] == pytest.approx(20.0)
    assert first["APP_CREDIT_GOODS_RATIO"] == pytest.approx(1.25)
    assert first["APP_CREDIT_GOODS_DIFF"] == pytest.approx(100000.0)
    assert first["APP_INCOME_PER_PERSON"] == pytest.approx(25000.0)
    assert first["APP_CHILDREN_RATIO"] == pytest.approx(0.25)
    assert first["APP_AGE_YEARS"] == pytest.approx(40.0)
    assert first["APP_EMPLOYED_AGE_RATIO"] == pytest.approx(0.1)
    assert first["APP_EXT_SOURCE_MEAN"] == pytest.approx(0.4)
    assert first["APP_EXT_SOURCE_STD"] == pytest.approx(0.2)
    assert first["APP_EXT_SOURCE_PRODUCT"] == pytest.approx(0.048)
    assert first["APP_DOCUMENT_COUNT"] == 1
    assert first["APP_DAYS_EMPLOYED_SENTINEL"] == 0
    second = _row(features, 2)
    assert isna(second["DAYS_EMPLOYED"]) and second["APP_DAYS_EMPLOYED_SENTINEL"] == 1
    assert isna(second["CODE_GENDER"])
    assert second["APP_EXT_SOURCE_MEAN"] == pytest.approx(0.5) and second["APP_EXT_SOURCE_MISSING_COUNT"] == 1
    third = _row(features, 3)
    assert isna(third["TARGET"]) and isna(third["APP_CREDIT_TERM_MONTHS"])  # annuity 0: no division
    schema = _frame(features).schema
    assert schema["APP_CREDIT_INCOME_RATIO"] == pl.Float32 and schema["CODE_GENDER"] == pl.String and schema["TARGET"] == pl.Int8


def test_application_features_requires_days_birth():
    with pytest.raises(Exception, match="DAYS_BIRTH"):
        application_features(_applications().drop("DAYS_BIRTH"), _spec())


BUREAU_SPEC = _spec(
    bureau_balance={"STATUS": ["0", "1", "5", "C", "X"]},
    bureau={
        "CREDIT_ACTIVE": ["Active", "Closed"],
        "CREDIT_CURRENCY": ["currency 1"],
        "CREDIT_TYPE": ["Consumer credit", "Credit card"],
    },
)


def _bureau():
    bureau = pl.DataFrame(
        {
            "SK_ID_CURR": [1, 1, 2],
            "SK_ID_BUREAU": [10, 11, 20],
            "CREDIT_ACTIVE": ["Active", "Closed", "Active"],
            "CREDIT_CURRENCY": ["currency 1"] * 3,
            "CREDIT_TYPE": ["Consumer credit", "Credit card", "Consumer credit"],
            "DAYS_CREDIT": [-100, -1000, -400],
            "DAYS_CREDIT_ENDDATE": [500.0, -50000.0, 100.0],
            "DAYS_ENDDATE_FACT": [None, -200.0, None],
            "AMT_CREDIT_SUM": [1000.0, 3000.0, 0.0],
            "AMT_CREDIT_SUM_DEBT": [500.0, 0.0, 10.0],
            "AMT_CREDIT_SUM_OVERDUE": [100.0, 0.0, 0.0],
        }
    )
    balance = pl.DataFrame(
        {
            "SK_ID_BUREAU": [10, 10, 10, 10, 11],
            "MONTHS_BALANCE": [0, -1, -2, -3, 0],
            "STATUS": ["0", "1", "5", "X", "C"],
        }
    )
    return bureau, balance


def test_bureau_features_statistics_splits_and_balance():
    bureau, balance = _bureau()
    features = bureau_features(bureau, balance, BUREAU_SPEC)
    first = _row(features, 1)
    assert first["BUREAU_COUNT"] == 2 and first["BUREAU_ACTIVE_COUNT"] == 1 and first["BUREAU_CLOSED_COUNT"] == 1
    assert first["BUREAU_RECENT_COUNT"] == 1
    assert first["BUREAU_AMT_CREDIT_SUM_SUM"] == pytest.approx(4000.0)
    assert first["BUREAU_AMT_CREDIT_SUM_MEAN"] == pytest.approx(2000.0)
    assert first["BUREAU_AMT_CREDIT_SUM_VAR"] == pytest.approx(2000000.0)  # sample variance of 1000, 3000
    assert first["BUREAU_ACTIVE_AMT_CREDIT_SUM_DEBT_SUM"] == pytest.approx(500.0)
    assert first["BUREAU_CLOSED_DAYS_CREDIT_MIN"] == pytest.approx(-1000.0)
    assert first["BUREAU_DEBT_CREDIT_RATIO_MAX"] == pytest.approx(0.5)
    assert first["BUREAU_OVERDUE_CREDIT_RATIO_MAX"] == pytest.approx(0.1)
    assert first["BUREAU_CREDIT_TYPE_CREDIT_CARD_SHARE"] == pytest.approx(0.5)
    assert first["BUREAU_CREDIT_ACTIVE_ACTIVE_SHARE"] == pytest.approx(0.5)
    # -50,000 days is older than max_days_back: treated as missing, so only the active credit counts.
    assert first["BUREAU_DAYS_CREDIT_ENDDATE_MIN"] == pytest.approx(500.0)
    # bureau_balance of credit 10: 4 months, statuses 0/1/5/X -> 2 overdue months, worst status 5.
    assert first["BUREAU_BB_MONTHS_COUNT_SUM"] == pytest.approx(5.0)
    assert first["BUREAU_BB_OVERDUE_SHARE_MAX"] == pytest.approx(0.5)
    assert first["BUREAU_BB_WORST_STATUS_MAX"] == pytest.approx(5.0)
    assert first["BUREAU_BB_STATUS_X_SHARE_MAX"] == pytest.approx(0.25)
    second = _row(features, 2)
    assert isna(second["BUREAU_DEBT_CREDIT_RATIO_MAX"])  # credit sum 0: no ratio
    assert isna(second["BUREAU_BB_MONTHS_COUNT_SUM"])  # no monthly statuses: missing, not 0
    assert isna(second["BUREAU_AMT_CREDIT_SUM_VAR"])  # one credit: no sample variance
    assert second["BUREAU_CLOSED_COUNT"] == 0 and isna(
        second["BUREAU_CLOSED_AMT_CREDIT_SUM_SUM"]
    )  # no closed credit: count 0, sum missing


def test_bureau_features_requires_credit_active():
    bureau, balance = _bureau()
    with pytest.raises(Exception, match="CREDIT_ACTIVE"):
        bureau_features(bureau.drop("CREDIT_ACTIVE"), balance, BUREAU_SPEC)


PREVIOUS_SPEC = _spec(previous_application={"NAME_CONTRACT_STATUS": ["Approved", "Refused"]})


def _previous():
    return pl.DataFrame(
        {
            "SK_ID_PREV": [100, 101, 102],
            "SK_ID_CURR": [1, 1, 1],
            "NAME_CONTRACT_STATUS": ["Approved", "Refused", "Refused"],
            "AMT_APPLICATION": [1000.0, 2000.0, 500.0],
            "AMT_CREDIT": [1250.0, 2000.0, 0.0],
            "AMT_ANNUITY": [125.0, 100.0, None],
            "DAYS_DECISION": [-100, -200, -800],
            "DAYS_FIRST_DRAWING": [365243.0, None, None],
            "DAYS_FIRST_DUE": [-70.0, None, None],
            "DAYS_LAST_DUE_1ST_VERSION": [300.0, None, None],
            "DAYS_LAST_DUE": [365243.0, None, None],
            "DAYS_TERMINATION": [365243.0, None, None],
        }
    )


def test_previous_application_features_outcome_splits_and_sentinels():
    features = previous_application_features(_previous(), PREVIOUS_SPEC)
    row = _row(features, 1)
    assert row["PREV_COUNT"] == 3 and row["PREV_APPROVED_COUNT"] == 1 and row["PREV_REFUSED_COUNT"] == 2
    assert row["PREV_RECENT_COUNT"] == 2
    assert row["PREV_NAME_CONTRACT_STATUS_REFUSED_SHARE"] == pytest.approx(2 / 3)
    assert row["PREV_REFUSED_AMT_APPLICATION_SUM"] == pytest.approx(2500.0)
    assert row["PREV_APPLICATION_CREDIT_RATIO_MEAN"] == pytest.approx((0.8 + 1.0) / 2)  # credit 0 excluded
    assert row["PREV_APPROVED_PAYMENT_RATE_MAX"] == pytest.approx(0.1)
    assert isna(row["PREV_DAYS_LAST_DUE_MAX"])  # 365243 means "no date"
    assert isna(row["PREV_DAYS_FIRST_DRAWING_MIN"])
    assert row["PREV_DAYS_FIRST_DUE_MIN"] == pytest.approx(-70.0)


POS_SPEC = _spec(POS_CASH_balance={"NAME_CONTRACT_STATUS": ["Active", "Completed"]})


def test_pos_cash_features_dpd_and_recent_months():
    pos = pl.DataFrame(
        {
            "SK_ID_PREV": [100, 100, 101],
            "SK_ID_CURR": [1, 1, 1],
            "MONTHS_BALANCE": [-1, -20, -2],
            "CNT_INSTALMENT": [12.0, 12.0, 0.0],
            "CNT_INSTALMENT_FUTURE": [6.0, 12.0, 0.0],
            "NAME_CONTRACT_STATUS": ["Active", "Active", "Completed"],
            "SK_DPD": [0, 30, 5],
            "SK_DPD_DEF": [0, 30, 0],
        }
    )
    row = _row(pos_cash_features(pos, POS_SPEC), 1)
    assert row["POS_COUNT"] == 3 and row["POS_LOANS_COUNT"] == 2 and row["POS_RECENT_COUNT"] == 2
    assert row["POS_SK_DPD_MAX"] == pytest.approx(30.0)
    assert row["POS_RECENT_SK_DPD_MAX"] == pytest.approx(5.0)
    assert row["POS_DPD_POSITIVE_MEAN"] == pytest.approx(2 / 3)
    assert row["POS_REMAINING_SHARE_MEAN"] == pytest.approx(0.75)  # (0.5 + 1.0) / 2, zero instalments excluded
    assert row["POS_NAME_CONTRACT_STATUS_COMPLETED_SHARE"] == pytest.approx(1 / 3)


INSTALMENT_SPEC = _spec()


def test_installments_features_merge_split_payments_before_delay_and_shortfall():
    payments = pl.DataFrame(
        {
            "SK_ID_PREV": [100, 100, 100, 101],
            "SK_ID_CURR": [1, 1, 1, 1],
            "NUM_INSTALMENT_VERSION": [1.0, 1.0, 1.0, 1.0],
            "NUM_INSTALMENT_NUMBER": [1, 1, 2, 1],
            "DAYS_INSTALMENT": [-400.0, -400.0, -370.0, -30.0],
            "DAYS_ENTRY_PAYMENT": [-405.0, -395.0, -380.0, -20.0],
            "AMT_INSTALMENT": [100.0, 100.0, 100.0, 200.0],
            "AMT_PAYMENT": [40.0, 60.0, 100.0, 150.0],
        }
    )
    row = _row(installments_features(payments, INSTALMENT_SPEC), 1)
    # Three due instalments: (paid 100 at +5 days), (paid 100 ten days early), (paid 150 of 200, 10 days late).
    assert row["INSTAL_COUNT"] == 3
    assert row["INSTAL_DPD_MAX"] == pytest.approx(10.0)
    assert row["INSTAL_DPD_MEAN"] == pytest.approx(5.0)
    assert row["INSTAL_DBD_MAX"] == pytest.approx(10.0)
    assert row["INSTAL_LATE_MEAN"] == pytest.approx(2 / 3)
    assert row["INSTAL_PAYMENT_DIFF_SUM"] == pytest.approx(50.0)
    assert row["INSTAL_PAYMENT_RATIO_MIN"] == pytest.approx(0.75)
    assert row["INSTAL_SHORT_MEAN"] == pytest.approx(1 / 3)
    assert row["INSTAL_PAYMENTS_COUNT_MAX"] == pytest.approx(2.0)
    assert row["INSTAL_RECENT_COUNT"] == 1 and row["INSTAL_RECENT_DPD_MAX"] == pytest.approx(10.0)


CARD_SPEC = _spec(credit_card_balance={"NAME_CONTRACT_STATUS": ["Active", "Completed"]})


def test_credit_card_features_utilisation_and_payment_ratio():
    cards = pl.DataFrame(
        {
            "SK_ID_PREV": [100, 100, 100],
            "SK_ID_CURR": [1, 1, 1],
            "MONTHS_BALANCE": [-1, -2, -30],
            "AMT_BALANCE": [50000.0, 90000.0, 10.0],
            "AMT_CREDIT_LIMIT_ACTUAL": [100000, 100000, 0],
            "AMT_INST_MIN_REGULARITY": [2500.0, 4500.0, 0.0],
            "AMT_PAYMENT_TOTAL_CURRENT": [5000.0, 0.0, 0.0],
            "NAME_CONTRACT_STATUS": ["Active", "Active", "Completed"],
            "SK_DPD": [0, 15, 0],
        }
    )
    row = _row(credit_card_features(cards, CARD_SPEC), 1)
    assert row["CC_COUNT"] == 3 and row["CC_RECENT_COUNT"] == 2
    assert row["CC_UTILISATION_MEAN"] == pytest.approx(0.7)  # (0.5 + 0.9) / 2, zero limit excluded
    assert row["CC_UTILISATION_MAX"] == pytest.approx(0.9)
    assert row["CC_PAYMENT_MIN_RATIO_MIN"] == pytest.approx(0.0)
    assert row["CC_PAYMENT_MIN_RATIO_MAX"] == pytest.approx(2.0)
    assert row["CC_DPD_POSITIVE_SUM"] == pytest.approx(1.0)
    assert row["CC_RECENT_AMT_BALANCE_SUM"] == pytest.approx(140000.0)


def _applications_block(target: list[float]) -> ApplicationFeatures:
    applicants = np.arange(1, len(target) + 1)
    numbers = FeatureBlock("application", applicants, ["AMT_CREDIT"], ["Float32"], np.array([applicants], dtype=np.float32))
    return ApplicationFeatures(numbers, pl.DataFrame(), ["AMT_CREDIT"], np.array(target, dtype=float))


def _empty_blocks(prefixes: tuple[str, ...]) -> list[FeatureBlock]:
    return [
        FeatureBlock(prefix, np.empty(0, dtype=np.int64), [f"{prefix}_COUNT"], ["Int64"], np.empty((1, 0), np.float32))
        for prefix in prefixes
    ]


def test_model_input_tables_split_train_test_and_fill_counts():
    bureau = FeatureBlock(
        "bureau",
        np.array([1]),
        ["BUREAU_COUNT", "BUREAU_AMT_CREDIT_SUM_MEAN"],
        ["Int64", "Float32"],
        np.array([[2.0], [5.0]], np.float32),
    )
    columns = [
        ("SK_ID_CURR", "Int64"),
        ("AMT_CREDIT", "Float32"),
        ("BUREAU_COUNT", "Int64"),
        ("BUREAU_AMT_CREDIT_SUM_MEAN", "Float32"),
        *((f"{prefix}_COUNT", "Int64") for prefix in ("PREV", "POS", "INSTAL", "CC")),
    ]
    spec = {"version": "test", "columns": [{"name": name, "dtype": dtype} for name, dtype in columns]}
    train, test = model_input_tables(
        _applications_block([1, 0, np.nan]), bureau, *_empty_blocks(("PREV", "POS", "INSTAL", "CC")), spec
    )
    assert train["SK_ID_CURR"].to_list() == [1, 2] and train["TARGET"].to_list() == [1, 0] and train.schema["TARGET"] == pl.Int8
    assert test["SK_ID_CURR"].to_list() == [3] and "TARGET" not in test.columns
    assert (
        train["BUREAU_COUNT"].to_list() == [2, 0]
        and train["PREV_COUNT"].to_list() == [0, 0]
        and train.schema["BUREAU_COUNT"] == pl.Int64
    )
    assert train["BUREAU_AMT_CREDIT_SUM_MEAN"].to_list() == [5.0, None]
    assert train.columns == ["SK_ID_CURR", "TARGET", *(name for name, _ in columns[1:])]


def test_model_input_tables_refuse_a_spec_of_another_definition():
    from pret_a_depenser.features import FeatureSpecError

    spec = {
        "version": "abc",
        "columns": [
            {"name": "SK_ID_CURR", "dtype": "Int64"},
            {"name": "AMT_CREDIT", "dtype": "Float32"},
            {"name": "OLD_FEATURE", "dtype": "Float32"},
        ],
    }
    with pytest.raises(FeatureSpecError, match=r"feature spec abc does not match.*BUREAU_COUNT.*OLD_FEATURE"):
        model_input_tables(_applications_block([1]), *_empty_blocks(("BUREAU", "PREV", "POS", "INSTAL", "CC")), spec)


def test_example_applicants_are_valid_requests_with_the_fullest_histories_among_the_candidates(small_raw_tables):
    from pydantic import TypeAdapter

    from pret_a_depenser.pipelines.data_processing.nodes import example_applicants
    from pret_a_depenser.scoring import ApplicantRecords

    t = small_raw_tables
    examples = example_applicants(
        t["application_test"],
        t["bureau"],
        t["bureau_balance"],
        t["previous_application"],
        t["POS_CASH_balance"],
        t["installments_payments"],
        t["credit_card_balance"],
        {"n_examples": 3, "n_candidates": 100},
    )
    applicants = TypeAdapter(list[ApplicantRecords]).validate_python(examples)
    assert len(applicants) == 3
    candidates = set(t["application_test"]["SK_ID_CURR"].head(100).to_list())
    assert {applicant.application.SK_ID_CURR for applicant in applicants} <= candidates
    filled = [sum(bool(record[table]) for table in record if table != "application") for record in examples]
    assert filled == sorted(filled, reverse=True) and filled[0] >= 5
