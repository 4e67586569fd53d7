"""The request contract: records <-> raw tables, validated by models generated from the raw contract."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from pydantic import TypeAdapter, ValidationError

from pret_a_depenser.features import fit_feature_spec, transform
from pret_a_depenser.features.aggregation import SMALL_INPUT_ROWS
from pret_a_depenser.features.column_table import as_polars
from pret_a_depenser.scoring.records import (
    RECORD_MODELS,
    ApplicantRecords,
    applicant_batch_model,
    applicant_columns,
    applicant_records,
    applicant_tables,
)

APPLICANTS = TypeAdapter(list[ApplicantRecords])


def _application(applicant_id: int) -> dict:
    """The complete (required) columns of an application, nothing else."""
    required = [name for name, field in RECORD_MODELS["application"].model_fields.items() if field.is_required()]
    return {name: applicant_id if name == "SK_ID_CURR" else -12000 if name == "DAYS_BIRTH" else 0 for name in required}


def test_complete_columns_are_required_and_the_others_optional():
    assert ApplicantRecords.model_validate({"application": _application(1)}).bureau == []
    with pytest.raises(ValidationError, match="DAYS_BIRTH"):
        ApplicantRecords.model_validate(
            {"application": {key: value for key, value in _application(1).items() if key != "DAYS_BIRTH"}}
        )
    bureau_row = {
        "SK_ID_BUREAU": 5,
        "DAYS_CREDIT": -10,
        "CREDIT_DAY_OVERDUE": 0,
        "CNT_CREDIT_PROLONG": 0,
        "DAYS_CREDIT_UPDATE": -3,
    }
    parsed = ApplicantRecords.model_validate({"application": _application(1), "bureau": [bureau_row]})
    assert parsed.bureau[0].AMT_CREDIT_SUM is None and parsed.bureau[0].SK_ID_CURR is None


def test_rules_and_vocabularies_of_the_contract_apply_to_requests():
    with pytest.raises(ValidationError) as error:
        ApplicantRecords.model_validate(
            {
                "application": {**_application(1), "DAYS_BIRTH": 5},
                "bureau_balance": [{"SK_ID_BUREAU": 1, "MONTHS_BALANCE": -1, "STATUS": "9"}],
            }
        )
    locations = {tuple(item["loc"]) for item in error.value.errors()}
    assert ("application", "DAYS_BIRTH") in locations and ("bureau_balance", 0, "STATUS") in locations


@pytest.mark.parametrize(
    ("table", "field", "value"),
    [
        ("application", "DAYS_BIRTH", -1e300),
        ("application", "DAYS_EMPLOYED", 400_000),
        ("application", "AMT_CREDIT", -5.0),
        ("application", "AMT_INCOME_TOTAL", 1e300),
        ("application", "EXT_SOURCE_2", 1.5),
        ("application", "HOUR_APPR_PROCESS_START", 24),
        ("installments_payments", "AMT_PAYMENT", -1.0),
        ("credit_card_balance", "AMT_BALANCE", -1e13),
    ],
)
def test_values_outside_the_plausible_ranges_are_refused_naming_the_field(table, field, value):
    application = _application(1)
    if table == "application":
        request = {"application": {**application, field: value}}
    else:
        request = {
            "application": application,
            table: [
                {
                    "SK_ID_PREV": 1,
                    "MONTHS_BALANCE": -1,
                    "NUM_INSTALMENT_NUMBER": 1,
                    "SK_DPD": 0,
                    "SK_DPD_DEF": 0,
                    "AMT_CREDIT_LIMIT_ACTUAL": 0,
                    "CNT_DRAWINGS_CURRENT": 0,
                    field: value,
                }
            ],
        }
        request[table][0] = {key: item for key, item in request[table][0].items() if key in RECORD_MODELS[table].model_fields}
    with pytest.raises(ValidationError) as error:
        ApplicantRecords.model_validate(request)
    assert {tuple(item["loc"])[-1] for item in error.value.errors()} == {field}


def test_the_files_sentinels_and_negative_balances_stay_valid():
    application = {**_application(1), "DAYS_EMPLOYED": 365243, "DAYS_BIRTH": -25229}
    card_row = {
        "SK_ID_PREV": 1,
        "MONTHS_BALANCE": -96,
        "AMT_BALANCE": -420250.0,
        "AMT_CREDIT_LIMIT_ACTUAL": 0,
        "CNT_DRAWINGS_CURRENT": 0,
        "SK_DPD": 0,
        "SK_DPD_DEF": 0,
    }
    ApplicantRecords.model_validate({"application": application, "credit_card_balance": [card_row]})


def test_a_batch_repeating_an_applicant_is_refused_naming_it():
    batch = applicant_batch_model(10)
    with pytest.raises(ValidationError, match=r"\[1\]\.application\.SK_ID_CURR=7 repeats applicant \[0\]"):
        batch.model_validate([{"application": _application(7)}, {"application": _application(7)}])
    with pytest.raises(ValidationError, match="at most 10"):
        batch.model_validate([{"application": _application(i)} for i in range(11)])


def test_credits_numbered_alike_by_two_applicants_stay_apart_and_in_order():
    credit = {"DAYS_CREDIT": -10, "CREDIT_DAY_OVERDUE": 0, "CNT_CREDIT_PROLONG": 0, "DAYS_CREDIT_UPDATE": -3}
    applicants = APPLICANTS.validate_python(
        [
            {
                "application": _application(2),
                "bureau": [{**credit, "SK_ID_BUREAU": 9}, {**credit, "SK_ID_BUREAU": 1}],
                "bureau_balance": [
                    {"SK_ID_BUREAU": 1, "MONTHS_BALANCE": 0, "STATUS": "C"},
                    {"SK_ID_BUREAU": 4, "MONTHS_BALANCE": 0, "STATUS": "X"},
                ],
            },
            {"application": _application(1), "bureau": [{**credit, "SK_ID_BUREAU": 1}]},
        ]
    )
    tables = applicant_tables(applicants)
    # (applicant, lender's id) in order: (1, 1) -> 1, (2, 1) -> 2, (2, 4) -> 3, (2, 9) -> 4
    assert tables["bureau"]["SK_ID_CURR"].to_list() == [2, 2, 1]
    assert tables["bureau"]["SK_ID_BUREAU"].to_list() == [4, 2, 1]
    assert tables["bureau_balance"]["SK_ID_BUREAU"].to_list() == [2, 3]  # the orphan month (4) links to no credit
    assert tables["application"]["SK_ID_CURR"].to_list() == [2, 1]


@pytest.fixture(scope="module")
def spec_and_tables(small_raw_tables, project_root):
    parameters = yaml.safe_load((project_root / "conf/base/parameters_data_processing.yml").read_text())["data_processing"][
        "features"
    ]
    t = small_raw_tables
    spec = fit_feature_spec(
        t["application_train"],
        t["bureau"],
        t["bureau_balance"],
        t["previous_application"],
        t["POS_CASH_balance"],
        t["credit_card_balance"],
        parameters,
    )
    tables = {
        "application": t["application_test"],
        **{
            name: t[name]
            for name in (
                "bureau",
                "bureau_balance",
                "previous_application",
                "POS_CASH_balance",
                "installments_payments",
                "credit_card_balance",
            )
        },
    }
    return spec, tables


@pytest.mark.parametrize("build_tables", [applicant_tables, applicant_columns], ids=["polars frames", "column tables"])
def test_records_built_from_the_files_give_the_batch_features_bit_for_bit(spec_and_tables, build_tables):
    """Records of 200 applicants, validated as requests and turned back into tables (polars frames, or
    the numpy column tables a request is scored from), transform to the batch's rows: every numeric
    feature equal as float32, every label equal; in one batch of requests and one applicant at a time."""
    spec, tables = spec_and_tables
    batch = transform(tables, spec)
    ids = batch.applicants[:200].tolist()
    records = applicant_records(tables, ids)
    assert any(not record["bureau"] for record in records) and any(record["bureau"] for record in records)
    applicants = APPLICANTS.validate_python(records)
    served = transform(build_tables(applicants), spec)
    assert max(table.height for table in build_tables(applicants).values()) > SMALL_INPUT_ROWS  # the batch path too
    names = [name for block in (batch.application.numbers, *batch.secondary) for name in block.names]
    position = {applicant: row for row, applicant in enumerate(served.applicants.tolist())}
    order = [position[applicant] for applicant in ids]
    expected, got = batch.matrix(names)[:200], served.matrix(names)[order]
    assert np.array_equal(expected, got, equal_nan=True)
    assert batch.application.labels[:200].equals(as_polars(served.application.labels)[order])
    for row, applicant in enumerate(applicants[:25]):
        alone = transform(build_tables([applicant]), spec)
        assert np.array_equal(expected[row : row + 1], alone.matrix(names), equal_nan=True)
        assert batch.application.labels[row : row + 1].equals(as_polars(alone.application.labels))
