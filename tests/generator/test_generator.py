"""The shipped data generator: Kaggle contract, fan-out, default rate, oracle AUC, planted risk."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest
from sklearn.metrics import roc_auc_score

from pret_a_depenser.generator import TABLES, generate_home_credit
from pret_a_depenser.pipelines.data_processing.nodes.validation import validate_table
from pret_a_depenser.raw_contract import RAW_TABLES

N_APPLICANTS = 20_000


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return generate_home_credit(n_applicants=N_APPLICANTS, seed=11, progress=False)


def test_every_table_has_the_kaggle_columns_in_order_and_passes_its_schema(tables):
    for file_name, (columns, _, _) in RAW_TABLES.items():
        frame = tables[file_name.removesuffix(".csv")]
        assert list(frame.columns) == list(columns), file_name
        validate_table(pl.from_pandas(frame), file_name)


def test_train_test_split_and_truth_file(tables):
    train, test, truth = tables["application_train"], tables["application_test"], tables["generator_truth"]
    assert len(train) + len(test) == N_APPLICANTS
    assert len(test) / N_APPLICANTS == pytest.approx(48744 / 356255, abs=0.01)
    assert "TARGET" not in test and set(train["TARGET"].unique()) == {0, 1}
    assert list(truth.columns) == ["SK_ID_CURR", "TRUE_PD"]
    assert truth["SK_ID_CURR"].tolist() == train["SK_ID_CURR"].tolist()
    assert truth["TRUE_PD"].between(0, 1).all()


def test_default_rate_and_oracle_auc_are_like_the_real_problem(tables):
    train, truth = tables["application_train"], tables["generator_truth"]
    assert train["TARGET"].mean() == pytest.approx(0.0807, abs=0.01)
    assert 0.78 <= roc_auc_score(train["TARGET"], truth["TRUE_PD"]) <= 0.85


def test_relational_fan_out_is_close_to_kaggle(tables):
    per_applicant = {name: len(tables[name]) / N_APPLICANTS for name in TABLES[2:]}
    # Kaggle rows / (307,511 + 48,744) applicants.
    assert per_applicant["bureau"] == pytest.approx(1_716_428 / 356_255, rel=0.1)
    assert per_applicant["bureau_balance"] == pytest.approx(27_299_925 / 356_255, rel=0.15)
    assert per_applicant["previous_application"] == pytest.approx(1_670_214 / 356_255, rel=0.1)
    assert per_applicant["POS_CASH_balance"] == pytest.approx(10_001_358 / 356_255, rel=0.15)
    assert per_applicant["installments_payments"] == pytest.approx(13_605_401 / 356_255, rel=0.15)
    assert per_applicant["credit_card_balance"] == pytest.approx(3_840_312 / 356_255, rel=0.2)
    with_bureau = tables["bureau"]["SK_ID_CURR"].nunique() / N_APPLICANTS
    assert with_bureau == pytest.approx(0.86, abs=0.03)
    assert tables["credit_card_balance"]["SK_ID_CURR"].nunique() / N_APPLICANTS == pytest.approx(0.29, abs=0.05)


def test_keys_are_consistent_across_tables(tables):
    applicants = set(tables["application_train"]["SK_ID_CURR"]) | set(tables["application_test"]["SK_ID_CURR"])
    for name in ("bureau", "previous_application", "POS_CASH_balance", "installments_payments", "credit_card_balance"):
        assert set(tables[name]["SK_ID_CURR"]) <= applicants, name
    assert set(tables["bureau_balance"]["SK_ID_BUREAU"]) <= set(tables["bureau"]["SK_ID_BUREAU"])
    owner = tables["previous_application"].set_index("SK_ID_PREV")["SK_ID_CURR"]
    for name in ("POS_CASH_balance", "installments_payments", "credit_card_balance"):
        monthly = tables[name]
        assert (owner.loc[monthly["SK_ID_PREV"]].to_numpy() == monthly["SK_ID_CURR"].to_numpy()).all(), name


def test_kaggle_quirks_are_reproduced(tables):
    train, previous = tables["application_train"], tables["previous_application"]
    assert (train["DAYS_EMPLOYED"] == 365243).mean() == pytest.approx(0.18, abs=0.02)
    assert set(train["CODE_GENDER"].astype(str)) <= {"F", "M", "XNA"}
    assert (train["DAYS_BIRTH"] < 0).all() and (train["DAYS_EMPLOYED"].replace(365243, -1) <= 0).all()
    assert train["EXT_SOURCE_1"].isna().mean() == pytest.approx(0.564, abs=0.02)
    assert train["EXT_SOURCE_3"].isna().mean() == pytest.approx(0.198, abs=0.02)
    assert train["OWN_CAR_AGE"].isna().mean() == pytest.approx(0.66, abs=0.03)
    assert 0.45 <= train["APARTMENTS_AVG"].isna().mean() <= 0.55 and 0.65 <= train["COMMONAREA_AVG"].isna().mean() <= 0.75
    assert set(tables["bureau_balance"]["STATUS"].astype(str)) == set("012345CX")
    assert set(previous["NAME_CONTRACT_STATUS"].astype(str)) == {"Approved", "Canceled", "Refused", "Unused offer"}
    assert (previous["DAYS_LAST_DUE"] == 365243).any() and (previous["DAYS_FIRST_DRAWING"] == 365243).any()


def _share_by_target(train: pd.DataFrame, per_applicant: pd.Series) -> tuple[float, float]:
    joined = train[["SK_ID_CURR", "TARGET"]].join(per_applicant.rename("value"), on="SK_ID_CURR").dropna()
    means = joined.groupby("TARGET")["value"].mean()
    return means[0], means[1]


def test_risk_shows_through_the_secondary_tables(tables):
    train = tables["application_train"]
    late = tables["installments_payments"].assign(late=lambda f: f["DAYS_ENTRY_PAYMENT"] > f["DAYS_INSTALMENT"])
    refused = tables["previous_application"].assign(refused=lambda f: f["NAME_CONTRACT_STATUS"] == "Refused")
    bad_months = (
        tables["bureau_balance"]
        .merge(tables["bureau"][["SK_ID_BUREAU", "SK_ID_CURR"]])
        .assign(bad=lambda f: f["STATUS"].astype(str).isin(list("12345")))
    )
    cards = (
        tables["credit_card_balance"]
        .query("AMT_CREDIT_LIMIT_ACTUAL > 0")
        .assign(usage=lambda f: f["AMT_BALANCE"] / f["AMT_CREDIT_LIMIT_ACTUAL"])
    )
    for frame, column in ((late, "late"), (refused, "refused"), (bad_months, "bad"), (cards, "usage")):
        good, bad = _share_by_target(train, frame.groupby("SK_ID_CURR")[column].mean())
        assert bad > 1.2 * good, column
    for ext in ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"):
        known = train[ext].notna()
        assert 0.58 <= roc_auc_score(train.loc[known, "TARGET"], -train.loc[known, ext]) <= 0.72, ext


def test_generation_is_deterministic_for_a_seed():
    first = generate_home_credit(n_applicants=600, seed=3, chunk_size=250, progress=False)
    again = generate_home_credit(n_applicants=600, seed=3, chunk_size=250, progress=False)
    other = generate_home_credit(n_applicants=600, seed=4, chunk_size=250, progress=False)
    for name in first:
        pd.testing.assert_frame_equal(first[name], again[name])
    assert not first["application_train"]["EXT_SOURCE_2"].head(100).equals(other["application_train"]["EXT_SOURCE_2"].head(100))
    ids = first["previous_application"]["SK_ID_PREV"]
    assert ids.is_unique and ids.is_monotonic_increasing  # keys stay unique across chunks


def test_non_positive_size_is_rejected():
    with pytest.raises(ValueError, match="generate_data.n_applicants"):
        generate_home_credit(n_applicants=0)
