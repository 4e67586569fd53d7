"""The service in-process (Starlette TestClient, no port): Kaggle-format records in, the pipeline's
decisions out; the feature-vector route; rejections naming the table, row and field."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import polars as pl
import pytest
from pydantic import TypeAdapter

from pret_a_depenser.datasets import BentoModelDataset
from pret_a_depenser.features import transform
from pret_a_depenser.raw_contract import APPLICATION_TEST_COLUMNS
from pret_a_depenser.scoring import ApplicantRecords, applicant_tables

from .conftest import use_bentoml_home


@pytest.fixture(scope="module")
def scoring_model(bentoml_home):
    use_bentoml_home(bentoml_home)
    return BentoModelDataset("credit_scoring").load()


@pytest.fixture(scope="module")
def applicant(holdout_applicants) -> dict:
    """A holdout applicant with rows in bureau, bureau_balance and previous_application."""
    return next(
        request
        for request in holdout_applicants["request"]
        if request["bureau"] and request["bureau_balance"] and request["previous_application"]
    )


def scored_by_files(scoring_model, raw_tables, applicant_id: int, changes) -> float:
    """The PD of one applicant computed from the files' tables (the batch path) after ``changes(tables)``."""
    tables = {name: frame for name, frame in raw_tables.items() if name != "application_test"}
    tables["application"] = tables["application"].filter(pl.col("SK_ID_CURR") == applicant_id).drop("TARGET")
    return float(scoring_model.decide(scoring_model.inputs_from_tables(changes(tables))).probabilities[0])


def test_health_reports_model_threshold_features_and_spec(client, finished_project, scoring_model):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    decision = json.loads((finished_project / "data/06_models/decision_threshold.json").read_text())
    feature_spec = json.loads((finished_project / "data/04_feature/feature_spec.json").read_text())
    assert body["ready"] is True and body["model_tag"].startswith("credit_scoring:") and body["model_source"] == "bentoml"
    assert body["threshold"] == decision["threshold"] and body["n_features"] == len(scoring_model.features)
    assert body["feature_spec_version"] == feature_spec["version"] and body["mlflow_run_id"]
    for builtin in ("/livez", "/readyz", "/metrics"):
        assert client.get(builtin).status_code == 200, builtin


def test_predict_scores_kaggle_records(client, applicant):
    body = client.post("/predict", json=applicant).json()
    assert 0 < body["probability_of_default"] < 1
    assert body["decision"] == ("REFUSED" if body["probability_of_default"] >= body["threshold"] else "ACCEPTED")
    assert body["model_tag"].startswith("credit_scoring:") and body["unseen_categories"] == [] and body["request_id"]


def test_every_holdout_and_test_applicant_gets_the_pipeline_probability(client, holdout_applicants, test_applicants):
    """No train/serve skew: the records in the raw files, sent over HTTP, give the pipeline's own PD."""
    for applicants, column in ((holdout_applicants, "PD"), (test_applicants, "probability_of_default")):
        served = []
        requests = applicants["request"].tolist()
        for start in range(0, len(requests), 500):
            response = client.post("/predict_batch", json=requests[start : start + 500])
            assert response.status_code == 200, response.text[:500]
            served += [item["probability_of_default"] for item in response.json()["predictions"]]
        assert np.abs(np.array(served) - applicants[column].to_numpy()).max() <= 1e-9
    singles = [
        client.post("/predict", json=request).json()["probability_of_default"] for request in holdout_applicants["request"][:20]
    ]
    assert np.abs(np.array(singles) - holdout_applicants["PD"].to_numpy()[:20]).max() <= 1e-9
    no_history = [
        i
        for i, request in enumerate(holdout_applicants["request"])
        if not any(request[table] for table in request if table != "application")
    ]
    assert no_history, "the small sample has applicants without any credit history"


def test_the_served_feature_plan_is_bit_equal_to_the_full_transform_for_every_holdout_applicant(
    scoring_model, holdout_applicants
):
    """Each holdout applicant alone, as served: the model's plan (its 45 columns, from a narrowed
    application table) against the same columns of the full 1,800-column transform of all the records."""
    plan = scoring_model.planned_spec["plan"]
    assert plan["columns"] == scoring_model.features and len(plan["columns"]) < len(scoring_model.feature_spec["columns"]) / 10
    applicants = TypeAdapter(list[ApplicantRecords]).validate_python(holdout_applicants["request"].tolist())
    probabilities = []
    for applicant in applicants:
        served = scoring_model.inputs_from_records([applicant])
        full = scoring_model.inputs_from_rows(transform(applicant_tables([applicant]), scoring_model.feature_spec))
        assert served.numbers.tobytes() == full.numbers.tobytes(), applicant.application.SK_ID_CURR
        assert served.labels.tolist() == full.labels.tolist()
        decided = scoring_model.decide(served)
        assert decided.probabilities.tobytes() == scoring_model.decide(full).probabilities.tobytes()
        probabilities.append(decided.probabilities[0])
    assert np.abs(np.array(probabilities) - holdout_applicants["PD"].to_numpy()).max() <= 1e-12  # the pipeline's PD


def test_lists_may_be_absent_and_history_rows_may_omit_or_repeat_their_applicant(client, applicant, holdout_applicants):
    expected = holdout_applicants.set_index("SK_ID_CURR").loc[applicant["application"]["SK_ID_CURR"], "PD"]
    with_ids = copy.deepcopy(applicant)
    for table in ("bureau", "previous_application", "POS_CASH_balance", "installments_payments", "credit_card_balance"):
        for row in with_ids[table]:
            row["SK_ID_CURR"] = applicant["application"]["SK_ID_CURR"]
    assert client.post("/predict", json=with_ids).json()["probability_of_default"] == pytest.approx(expected, abs=1e-9)
    only_application = {"application": applicant["application"]}
    assert client.post("/predict", json=only_application).status_code == 200


def test_orphan_monthly_rows_are_treated_as_the_batch_treats_them(client, applicant, scoring_model, raw_tables):
    applicant_id = applicant["application"]["SK_ID_CURR"]
    orphans = copy.deepcopy(applicant)
    orphans["bureau_balance"].append({"SK_ID_BUREAU": 987654321, "MONTHS_BALANCE": -1, "STATUS": "5"})
    pos_row = (
        {**applicant["POS_CASH_balance"][0], "SK_ID_PREV": 987654321, "SK_DPD": 30} if applicant["POS_CASH_balance"] else None
    )
    if pos_row:
        orphans["POS_CASH_balance"].append(pos_row)

    def add_orphans(tables):
        balance = pl.DataFrame(
            [{"SK_ID_BUREAU": 987654321, "MONTHS_BALANCE": -1, "STATUS": "5"}],
            schema=tables["bureau_balance"].schema,
            strict=False,
        )
        tables = {**tables, "bureau_balance": pl.concat([tables["bureau_balance"], balance])}
        if pos_row:
            pos = pl.DataFrame([{**pos_row, "SK_ID_CURR": applicant_id}], schema=tables["POS_CASH_balance"].schema, strict=False)
            tables["POS_CASH_balance"] = pl.concat([tables["POS_CASH_balance"], pos])
        return tables

    served = client.post("/predict", json=orphans).json()["probability_of_default"]
    assert served == pytest.approx(scored_by_files(scoring_model, raw_tables, applicant_id, add_orphans), abs=1e-9)


def test_unseen_levels_are_scored_flagged_and_counted(client, applicant, scoring_model, raw_tables):
    label = scoring_model.categorical_features[0]
    unseen = copy.deepcopy(applicant)
    unseen["application"][label] = "a label never seen in training"
    unseen["bureau"][0]["CREDIT_TYPE"] = "a credit type never seen in training"
    applicant_id = applicant["application"]["SK_ID_CURR"]
    first_credit = applicant["bureau"][0]["SK_ID_BUREAU"]

    def relabel(tables):
        application = tables["application"].with_columns(
            pl.lit("a label never seen in training").cast(pl.Categorical).alias(label)
        )
        bureau = tables["bureau"].with_columns(
            pl.when(pl.col("SK_ID_BUREAU") == first_credit)
            .then(pl.lit("a credit type never seen in training"))
            .otherwise(pl.col("CREDIT_TYPE").cast(pl.String))
            .cast(pl.Categorical)
            .alias("CREDIT_TYPE")
        )
        return {**tables, "application": application, "bureau": bureau}

    response = client.post("/predict", json=unseen)
    assert response.status_code == 200 and response.json()["unseen_categories"] == [label, "bureau.CREDIT_TYPE"]
    assert response.json()["probability_of_default"] == pytest.approx(
        scored_by_files(scoring_model, raw_tables, applicant_id, relabel), abs=1e-9
    )
    for feature in (label, "bureau.CREDIT_TYPE"):
        counted = [
            line
            for line in client.get("/metrics").text.splitlines()
            if line.startswith("credit_scoring_unseen_categories_total") and f'feature="{feature}"' in line
        ]
        assert counted and float(counted[0].split()[-1]) >= 1


def test_explanation_adds_up_to_the_raw_score_and_gives_at_most_four_reasons(client, holdout_applicants, scoring_model):
    riskiest = holdout_applicants.sort_values("PD", ascending=False).iloc[0]
    safest = holdout_applicants.sort_values("PD").iloc[0]
    refused = client.post("/explain", json=riskiest["request"]).json()
    accepted = client.post("/explain", json=safest["request"]).json()
    for body, row in ((refused, riskiest), (accepted, safest)):
        total = body["base_value"] + sum(item["contribution"] for item in body["contributions"])
        assert total == pytest.approx(body["raw_score"], abs=1e-6)
        assert body["probability_of_default"] == pytest.approx(row["PD"], abs=1e-9)
        assert 1 / (1 + math.exp(-body["raw_score"])) == pytest.approx(row["SCORE"], abs=1e-9)  # the score before calibration
        assert {item["feature"] for item in body["contributions"]} == set(scoring_model.features)
    assert refused["decision"] == "REFUSED" and 1 <= len(refused["reasons"]) <= 4
    assert all(reason["contribution"] > 0 and "raises the estimated risk" in reason["text"] for reason in refused["reasons"])
    assert accepted["decision"] == "ACCEPTED" and accepted["reasons"] == []


def _with(applicant: dict, table: str, row: int | None, field: str, value) -> dict:
    changed = copy.deepcopy(applicant)
    target = changed[table] if row is None else changed[table][row]
    if value is _ABSENT:
        target.pop(field, None)
    else:
        target[field] = value
    return changed


_ABSENT = object()


def _bad_bodies(applicant: dict) -> dict[str, tuple[str, list[str]]]:
    """Case -> (body, words the 400 must contain: the table, the row index and the field)."""
    other = applicant["application"]["SK_ID_CURR"] + 1
    credit = applicant["bureau"][0]["SK_ID_BUREAU"]
    duplicated = copy.deepcopy(applicant)
    duplicated["bureau"].append({**duplicated["bureau"][0]})
    return {
        "string number": (json.dumps(_with(applicant, "application", None, "AMT_CREDIT", "1.5")), ["application", "AMT_CREDIT"]),
        "boolean number": (json.dumps(_with(applicant, "bureau", 0, "AMT_CREDIT_SUM", True)), ["bureau", "0", "AMT_CREDIT_SUM"]),
        "float in an integer column": (
            json.dumps(_with(applicant, "application", None, "CNT_CHILDREN", 1.5)),
            ["application", "CNT_CHILDREN"],
        ),
        "number label": (
            json.dumps(_with(applicant, "application", None, "NAME_CONTRACT_TYPE", 3)),
            ["application", "NAME_CONTRACT_TYPE"],
        ),
        "unknown field": (json.dumps(_with(applicant, "bureau", 0, "AMT_CREDIT_SUMM", 1.0)), ["bureau", "0", "AMT_CREDIT_SUMM"]),
        "TARGET sent": (json.dumps(_with(applicant, "application", None, "TARGET", 1)), ["application", "TARGET"]),
        "missing complete column": (
            json.dumps(_with(applicant, "application", None, "DAYS_BIRTH", _ABSENT)),
            ["application", "DAYS_BIRTH"],
        ),
        "rule broken": (json.dumps(_with(applicant, "application", None, "DAYS_BIRTH", 12000)), ["application", "DAYS_BIRTH"]),
        "outside the vocabulary": (
            json.dumps(_with(applicant, "bureau_balance", 0, "STATUS", "Z")),
            ["bureau_balance", "0", "STATUS"],
        ),
        "another applicant's row": (
            json.dumps(_with(applicant, "bureau", 0, "SK_ID_CURR", other)),
            ["bureau[0]", "SK_ID_CURR", str(other)],
        ),
        "repeated credit": (json.dumps(duplicated), [f"bureau[{len(duplicated['bureau']) - 1}]", "SK_ID_BUREAU", str(credit)]),
        "NaN": (json.dumps(_with(applicant, "application", None, "AMT_ANNUITY", float("nan"))), ["application", "AMT_ANNUITY"]),
        "the missing-label token": (
            json.dumps(_with(applicant, "application", None, "NAME_TYPE_SUITE", "MISSING")),
            ["application", "NAME_TYPE_SUITE", "null"],
        ),
        "no application": (json.dumps({"bureau": applicant["bureau"]}), ["application"]),
        "unknown table": (json.dumps({**applicant, "bureau_typo": []}), ["bureau_typo"]),
        "array body": (json.dumps([applicant]), ["ApplicantRecords"]),
        "not JSON": ("{not json", ["json"]),
    }


CASES = [
    "string number",
    "boolean number",
    "float in an integer column",
    "number label",
    "unknown field",
    "TARGET sent",
    "missing complete column",
    "rule broken",
    "outside the vocabulary",
    "another applicant's row",
    "repeated credit",
    "NaN",
    "the missing-label token",
    "no application",
    "unknown table",
    "array body",
    "not JSON",
]


@pytest.mark.parametrize("case", CASES)
def test_an_invalid_record_is_a_400_naming_table_row_and_field(client, applicant, case):
    body, named = _bad_bodies(applicant)[case]
    for route in ("/predict", "/explain"):
        response = client.post(route, content=body, headers={"content-type": "application/json"})
        assert response.status_code == 400, (route, response.text)
        text = response.text.lower()
        assert all(word.lower() in text for word in named), (named, response.text)


def test_a_batch_is_a_bounded_non_empty_list_of_distinct_applicants(client, applicant, holdout_applicants, service_module):
    assert client.post("/predict_batch", json=[]).status_code == 400
    response = client.post("/predict_batch", json=[applicant] * (service_module.SETTINGS.max_batch_size + 1))
    assert response.status_code == 400 and "at most" in response.text
    response = client.post("/predict_batch", json=[applicant, applicant])
    assert response.status_code == 400 and "[1].application.SK_ID_CURR" in response.text
    second = holdout_applicants["request"].iloc[1]
    response = client.post("/predict_batch", json=[applicant, _with(second, "application", None, "NOT_A_COLUMN", 1)])
    assert response.status_code == 400 and "NOT_A_COLUMN" in response.text and '"loc"' in response.text
    invalid = [
        {**request, "application": {**request["application"], "AMT_CREDIT": "1", "DAYS_BIRTH": 1.5}}
        for request in holdout_applicants["request"].iloc[:200]
    ]
    response = client.post("/predict_batch", json=invalid)
    assert (
        response.status_code == 400
        and len(response.json()["detail"]) == 100
        and "of 400 validation errors" in response.json()["detail_truncated"]
    )


def test_two_applicants_numbering_their_credits_alike_are_kept_apart(client, holdout_applicants):
    """A lender numbers SK_ID_BUREAU / SK_ID_PREV per applicant: in one batch the same numbers never mix."""
    with_history = [
        request for request in holdout_applicants["request"] if request["bureau"] and request["previous_application"]
    ][:2]
    renumbered = []
    for request in with_history:
        request = copy.deepcopy(request)
        bureau_ids = {row["SK_ID_BUREAU"]: number for number, row in enumerate(request["bureau"], start=1)}
        previous_ids = {
            row["SK_ID_PREV"]: number
            for number, row in enumerate(sorted(request["previous_application"], key=lambda row: row["SK_ID_PREV"]), start=1)
        }
        for table, key, numbers in (("bureau", "SK_ID_BUREAU", bureau_ids), ("bureau_balance", "SK_ID_BUREAU", bureau_ids)):
            for row in request[table]:
                row[key] = numbers.get(row[key], 999)
        for table in ("previous_application", "POS_CASH_balance", "installments_payments", "credit_card_balance"):
            for row in request[table]:
                row["SK_ID_PREV"] = previous_ids.get(row["SK_ID_PREV"], 999)
        renumbered.append(request)
    originals = client.post("/predict_batch", json=with_history).json()["predictions"]
    together = client.post("/predict_batch", json=renumbered).json()["predictions"]
    assert [item["probability_of_default"] for item in together] == pytest.approx(
        [item["probability_of_default"] for item in originals], abs=1e-12
    )


def test_feature_vector_route_keeps_the_seed_contract(client, feature_vectors, holdout_applicants, scoring_model):
    served = [client.post("/predict_features", json=vector).json()["probability_of_default"] for vector in feature_vectors[:50]]
    assert np.abs(np.array(served) - holdout_applicants["PD"].to_numpy()[:50]).max() <= 1e-9
    numeric, label = scoring_model.numeric_features[0], scoring_model.categorical_features[0]
    for body, field in (
        ({**feature_vectors[0], numeric: "1.5"}, numeric),
        ({**feature_vectors[0], label: 3.0}, label),
        ({**feature_vectors[0], "NOT_A_FEATURE": 1.0}, "NOT_A_FEATURE"),
        ({numeric: None}, "none of the model's features"),
    ):
        response = client.post("/predict_features", json=body)
        assert response.status_code == 400 and field in response.text, response.text


def test_the_openapi_schema_is_the_raw_data_contract(client):
    schema = client.get("/docs.json").json()
    components = schema["components"]["schemas"]
    application = components["ApplicationRow"]
    assert set(application["properties"]) == set(APPLICATION_TEST_COLUMNS)
    assert {"SK_ID_CURR", "DAYS_BIRTH", "CNT_CHILDREN"} <= set(application["required"]) and "AMT_ANNUITY" not in application[
        "required"
    ]
    assert set(components["ApplicantRecords"]["properties"]) == {
        "application",
        "bureau",
        "bureau_balance",
        "previous_application",
        "POS_CASH_balance",
        "installments_payments",
        "credit_card_balance",
    }
    status = components["BureauBalanceRow"]["properties"]["STATUS"]
    assert next(kind.get("enum") for kind in status.get("anyOf", [status])) == ["0", "1", "2", "3", "4", "5", "C", "X"]
