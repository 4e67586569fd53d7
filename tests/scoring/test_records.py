"""The request contract: records <-> raw tables, validated by models generated from the raw contract."""

from __future__ import annotations

import json

import msgspec
import numpy as np
import pytest
import yaml
from pydantic import TypeAdapter, ValidationError

from pret_a_depenser.features import fit_feature_spec, transform
from pret_a_depenser.features.aggregation import SMALL_INPUT_ROWS
from pret_a_depenser.features.column_table import as_polars
from pret_a_depenser.raw_contract import RAW_TABLES
from pret_a_depenser.scoring import records as contract
from pret_a_depenser.scoring.records import (
    HISTORY_TABLES,
    INT64_MAX,
    MAX_LABEL_LENGTH,
    RECORD_MODELS,
    REQUEST_TABLES,
    ApplicantRecords,
    applicant_batch_decoder,
    applicant_batch_model,
    applicant_columns,
    applicant_records,
    applicant_tables,
    decode_applicant,
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


def _pydantic_models(records: list[dict]) -> list:
    return APPLICANTS.validate_python(records)


def _msgspec_structs(records: list[dict]) -> list:
    applicants = applicant_batch_decoder(1000)(json.dumps(records).encode())
    assert all(isinstance(applicant, msgspec.Struct) for applicant in applicants)  # not the pydantic fallback
    return applicants


@pytest.mark.parametrize("decode", [_pydantic_models, _msgspec_structs], ids=["pydantic models", "msgspec structs"])
@pytest.mark.parametrize("build_tables", [applicant_tables, applicant_columns], ids=["polars frames", "column tables"])
def test_records_built_from_the_files_give_the_batch_features_bit_for_bit(spec_and_tables, build_tables, decode):
    """Records of 200 applicants, validated as requests (by either decoder) and turned back into tables
    (polars frames, or the numpy column tables a request is scored from), transform to the batch's rows:
    every numeric feature equal as float32, every label equal; in one batch of requests and one
    applicant at a time."""
    spec, tables = spec_and_tables
    batch = transform(tables, spec)
    ids = batch.applicants[:200].tolist()
    records = applicant_records(tables, ids)
    assert any(not record["bureau"] for record in records) and any(record["bureau"] for record in records)
    applicants = decode(records)
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


# ---------------------------------------------------------------- the two decoders agree on every rule
def _fast_accepts(body: bytes) -> bool:
    try:
        contract._check_history(contract._APPLICANT_DECODER.decode(body))
    except (msgspec.ValidationError, msgspec.DecodeError, ValueError):
        return False
    return True


def _pydantic_accepts(body: bytes) -> bool:
    try:
        ApplicantRecords.model_validate_json(body)
    except ValidationError:
        return False
    return True


def _broken_values(kind: str, rules: list, required: bool) -> list:
    """Values that break a column's type, vocabulary, bounds or presence, and some edge values that do not."""
    values: list = ["1", True, [1], {"a": 1}]
    values += {
        "int": [1.5, 1.0, 2**63, -(2**63) - 1, INT64_MAX],
        "float": [1, 0.5, 1e308],
        "str": [1, 1.5, "MISSING", "x" * (MAX_LABEL_LENGTH + 1), "x" * MAX_LABEL_LENGTH, ""],
    }[kind]
    values.append(None if required else 0 if kind != "str" else "level")
    for comparison, bound in rules:
        if comparison == "isin":
            values += ["not-a-level", 7, bound[0]]
        else:
            step = 1 if kind == "int" else 1e-9 * max(abs(bound), 1)
            values += {
                "lt": [bound, bound - step],
                "le": [bound, bound + step],
                "gt": [bound, bound + step],
                "ge": [bound, bound - step],
            }[comparison]
            values = [
                value if kind != "int" or not isinstance(value, float) or not value.is_integer() else int(value)
                for value in values
            ]
    return values


@pytest.fixture(scope="module")
def complete_request(spec_and_tables) -> dict:
    """One application, and the first row of each history table, taken from the files' records."""
    _, tables = spec_and_tables
    records = applicant_records(tables, tables["application"]["SK_ID_CURR"].to_list()[:300])
    request = {"application": records[0]["application"]}
    for table in HISTORY_TABLES:
        request[table] = [next(record[table][0] for record in records if record[table])]
    return request


def test_the_fast_decoder_accepts_exactly_what_the_request_models_accept(complete_request):
    """Every column of every table, given a value of the wrong type, outside its vocabulary or bounds,
    missing when required, or at an edge that stays valid; and an unknown field in each table: the
    msgspec decoder accepts a body if and only if the pydantic models do (so a refused body gets the
    models' 400, and no valid body is slowed down by the fallback)."""
    assert _fast_accepts(json.dumps(complete_request).encode())
    cases = 0
    for table, file_name in REQUEST_TABLES.items():
        columns, _, rules = RAW_TABLES[file_name]
        for name, kind in columns.items():
            field = RECORD_MODELS[table].model_fields[name]
            for value in _broken_values(kind, rules.get(name, []), field.is_required()):
                row = {**(complete_request[table] if table == "application" else complete_request[table][0]), name: value}
                request = {**complete_request, table: row if table == "application" else [row]}
                body = json.dumps(request).encode()
                assert _fast_accepts(body) == _pydantic_accepts(body), (table, name, value)
                cases += 1
        row = complete_request[table] if table == "application" else complete_request[table][0]
        extra = {
            **complete_request,
            table: {**row, "NOT_A_COLUMN": 1} if table == "application" else [{**row, "NOT_A_COLUMN": 1}],
        }
        assert not _fast_accepts(json.dumps(extra).encode()) and not _pydantic_accepts(json.dumps(extra).encode())
    assert cases > 1000


def test_the_fast_decoder_refuses_what_the_history_checks_refuse(complete_request):
    applicant_id = complete_request["application"]["SK_ID_CURR"]
    credit = complete_request["bureau"][0]
    bodies = {
        "another applicant's row": {**complete_request, "bureau": [{**credit, "SK_ID_CURR": applicant_id + 1}]},
        "a repeated key": {**complete_request, "bureau": [credit, credit]},
        "an unknown table": {**complete_request, "bureau_lines": []},
        "no application": {table: complete_request[table] for table in HISTORY_TABLES},
        "not JSON": None,
    }
    for case, request in bodies.items():
        body = b"{" if request is None else json.dumps(request).encode()
        assert not _fast_accepts(body) and not _pydantic_accepts(body), case
        with pytest.raises(ValidationError):
            decode_applicant(body)
    with_own_id = {**complete_request, "bureau": [{**credit, "SK_ID_CURR": applicant_id}]}
    assert isinstance(decode_applicant(json.dumps(with_own_id).encode()), msgspec.Struct)


def test_a_refused_batch_gets_the_request_models_errors(complete_request):
    decode = applicant_batch_decoder(3)
    one = complete_request
    other = {**one, "application": {**one["application"], "SK_ID_CURR": one["application"]["SK_ID_CURR"] + 1}}
    assert [applicant.application.SK_ID_CURR for applicant in decode(json.dumps([one, other]).encode())] == [
        one["application"]["SK_ID_CURR"],
        other["application"]["SK_ID_CURR"],
    ]
    with pytest.raises(ValidationError, match=r"repeats applicant \[0\]"):
        decode(json.dumps([one, one]).encode())
    with pytest.raises(ValidationError, match="at most 3"):
        decode(json.dumps([one] * 4).encode())
    with pytest.raises(ValidationError, match="at least 1"):
        decode(b"[]")
    broken = {**other, "bureau": [{**one["bureau"][0], "DAYS_CREDIT": 1.5}]}
    with pytest.raises(ValidationError) as error:
        decode(json.dumps([one, broken]).encode())
    assert [tuple(item["loc"]) for item in error.value.errors()] == [(1, "bureau", 0, "DAYS_CREDIT")]
