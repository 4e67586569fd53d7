"""The feature engine: one spec fitted on training applicants, the same features for 1 or n applicants."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
import yaml

from pret_a_depenser.features import (
    TABLE_FILES,
    FeatureSpecError,
    build_features,
    feature_plan,
    fit_feature_spec,
    transform,
    unseen_category_levels,
)
from pret_a_depenser.features.spec import spec_version

SECONDARY = [name for name in TABLE_FILES if name != "application"]


@pytest.fixture(scope="module")
def parameters(project_root) -> dict:
    return yaml.safe_load((project_root / "conf/base/parameters_data_processing.yml").read_text())["data_processing"]["features"]


@pytest.fixture(scope="module")
def tables(small_raw_tables) -> dict[str, pl.DataFrame]:
    """Train and test applicants in one application table, as a batch to score."""
    application = pl.concat([small_raw_tables["application_train"].drop("TARGET"), small_raw_tables["application_test"]])
    return {"application": application, **{name: small_raw_tables[name] for name in SECONDARY}}


@pytest.fixture(scope="module")
def spec(small_raw_tables, parameters) -> dict:
    raw = small_raw_tables
    return fit_feature_spec(
        raw["application_train"],
        raw["bureau"],
        raw["bureau_balance"],
        raw["previous_application"],
        raw["POS_CASH_balance"],
        raw["credit_card_balance"],
        parameters,
    )


@pytest.fixture(scope="module")
def batch(tables, spec) -> pl.DataFrame:
    return build_features(tables, spec)


def _one_applicant(tables: dict[str, pl.DataFrame], sk_id_curr: int) -> dict[str, pl.DataFrame]:
    """The applicant's rows alone, as a lender would send them (bureau_balance through its credits)."""
    own = {name: frame.filter(pl.col("SK_ID_CURR") == sk_id_curr) for name, frame in tables.items() if name != "bureau_balance"}
    own["bureau_balance"] = tables["bureau_balance"].filter(pl.col("SK_ID_BUREAU").is_in(own["bureau"]["SK_ID_BUREAU"].implode()))
    return own


def _applicants_to_check(tables: dict[str, pl.DataFrame], count: int) -> list[int]:
    """A few hundred applicants, including some with no rows in one secondary table or in any."""
    everyone = tables["application"]["SK_ID_CURR"]
    chosen = set(everyone.sample(count, seed=5).to_list())
    for name in ("bureau", "credit_card_balance", "previous_application"):
        without = everyone.filter(~everyone.is_in(tables[name]["SK_ID_CURR"].implode()))
        assert without.len(), name
        chosen.update(without.head(5).to_list())
    return sorted(chosen)


def test_spec_records_levels_columns_and_a_stable_version(spec, batch, parameters):
    assert spec["parameters"] == parameters
    assert spec["category_levels"]["bureau_balance"]["STATUS"] == ["0", "1", "2", "3", "4", "5", "C", "X"]
    assert all(
        len(levels) <= parameters["max_category_levels"]
        for table in spec["category_levels"].values()
        for levels in table.values()
    )
    assert [column["name"] for column in spec["columns"]] == batch.columns
    assert [column["dtype"] for column in spec["columns"]] == [str(dtype) for dtype in batch.dtypes]
    assert {column["source"] for column in spec["columns"]} == {
        "application",
        "bureau",
        "previous_application",
        "pos_cash",
        "installments",
        "credit_card",
    }
    assert spec["version"] == spec_version(json.loads(json.dumps(spec)))  # survives the JSON round trip


def test_levels_are_fitted_on_training_applicants_only(small_raw_tables, parameters):
    raw = small_raw_tables
    test_ids = raw["application_test"]["SK_ID_CURR"].implode()
    previous = raw["previous_application"].with_columns(
        pl.when(pl.col("SK_ID_CURR").is_in(test_ids))
        .then(pl.lit("Only in test"))
        .otherwise(pl.col("NAME_CONTRACT_STATUS").cast(pl.String))
        .alias("NAME_CONTRACT_STATUS")
    )
    spec = fit_feature_spec(
        raw["application_train"],
        raw["bureau"],
        raw["bureau_balance"],
        previous,
        raw["POS_CASH_balance"],
        raw["credit_card_balance"],
        parameters,
    )
    assert "Only in test" not in spec["category_levels"]["previous_application"]["NAME_CONTRACT_STATUS"]


def test_same_columns_in_the_same_order_whatever_the_batch_size(tables, spec, batch):
    one = build_features(_one_applicant(tables, batch["SK_ID_CURR"][0]), spec)
    none = build_features({"application": tables["application"].head(0)}, spec)
    assert one.schema == batch.schema == none.schema
    assert one.height == 1 and none.height == 0


def test_one_applicant_alone_gives_exactly_its_batch_row(tables, spec, batch):
    checked = _applicants_to_check(tables, 300)
    for sk_id_curr in checked:
        alone = build_features(_one_applicant(tables, sk_id_curr), spec)
        in_batch = batch.filter(pl.col("SK_ID_CURR") == sk_id_curr)
        assert alone.equals(in_batch), sk_id_curr  # every column; float32 compared exactly, missing equals missing


def test_applicant_without_any_history_has_zero_counts_and_missing_statistics(tables, spec):
    application = tables["application"].head(1)
    features = build_features({"application": application}, spec)
    counts = [column["name"] for column in spec["columns"] if column["source"] != "application" and column["dtype"] == "Int64"]
    others = [column["name"] for column in spec["columns"] if column["source"] != "application" and column["dtype"] != "Int64"]
    assert counts and all(features[name][0] == 0 for name in counts)
    assert others and all(features[name][0] is None for name in others)


def test_two_runs_and_any_row_order_give_bit_identical_tables(tables, spec, batch):
    assert build_features(tables, spec).equals(batch)
    shuffled = {name: frame.sample(fraction=1.0, shuffle=True, seed=3) for name, frame in tables.items()}
    assert build_features(shuffled, spec).sort("SK_ID_CURR").equals(batch.sort("SK_ID_CURR"))


def test_tables_cut_into_applicant_chunks_give_the_same_table(tables, spec, batch, monkeypatch):
    from pret_a_depenser.features import aggregation

    monkeypatch.setattr(aggregation, "CHUNK_CELLS", 500)  # chunks of a few dozen rows, cut between applicants
    assert len(aggregation.applicant_chunks(tables["installments_payments"].sort("SK_ID_CURR"), 10, spec, "installments")) > 100
    assert build_features(tables, spec).equals(batch)


def test_feature_matrix_holds_the_frame_values(tables, spec, batch):
    rows = transform(tables, spec)
    names = [
        column["name"] for column in spec["columns"] if column["dtype"] in ("Float32", "Int64") and column["name"] != "SK_ID_CURR"
    ]
    expected = batch.select(pl.col(names).cast(pl.Float32)).fill_null(np.nan).to_numpy()
    assert np.array_equal(rows.matrix(names), expected, equal_nan=True)


def test_a_level_never_seen_in_training_is_ignored_and_counted(tables, spec, batch):
    sk_id_curr = tables["previous_application"]["SK_ID_CURR"][0]
    own = _one_applicant(tables, sk_id_curr)
    own["previous_application"] = own["previous_application"].with_columns(pl.lit("Brand new").alias("NAME_CONTRACT_STATUS"))
    features = build_features(own, spec)
    shares = [name for name in features.columns if name.startswith("PREV_NAME_CONTRACT_STATUS_") and name.endswith("_SHARE")]
    assert shares and all(features[name][0] == 0.0 for name in shares)
    report = unseen_category_levels(own, spec)
    rows = own["previous_application"].height
    assert report["columns"]["previous_application.NAME_CONTRACT_STATUS"] == {"rows": rows, "labels": {"Brand new": rows}}
    assert report["feature_spec_version"] == spec["version"]
    assert unseen_category_levels(_one_applicant(tables, sk_id_curr), spec)["rows"] == 0


def test_batch_statistics_match_a_plain_computation(tables, batch):
    """A cross-check of the compiled kernel against numpy on one column."""
    credits = tables["bureau"].group_by("SK_ID_CURR").agg(pl.col("AMT_CREDIT_SUM"))
    for sk_id_curr, amounts in credits.head(50).iter_rows():
        row = batch.filter(pl.col("SK_ID_CURR") == sk_id_curr)
        values = np.array([amount for amount in amounts if amount is not None])
        assert row["BUREAU_AMT_CREDIT_SUM_MEAN"][0] == pytest.approx(values.mean(), rel=1e-6)
        if len(values) > 1:
            assert row["BUREAU_AMT_CREDIT_SUM_VAR"][0] == pytest.approx(values.var(ddof=1), rel=1e-5)


def _plans(spec: dict) -> dict[str, list[str]]:
    """Plans a model may have: a random subset of every column kind, statistics of monthly statuses
    only, application columns only, and subset counts without any statistic of the subset."""
    numeric = [column["name"] for column in spec["columns"] if column["dtype"] != "String" and column["name"] != "SK_ID_CURR"]
    rng = np.random.default_rng(11)
    return {
        "random 125": sorted(rng.choice(numeric, 125, replace=False).tolist()),
        "monthly statuses": [name for name in numeric if "_BB_" in name][:7],
        "application only": ["EXT_SOURCE_2", "APP_CREDIT_TERM_MONTHS", "DAYS_BIRTH"],
        "counts and shares": ["BUREAU_ACTIVE_COUNT", "PREV_REFUSED_COUNT", "POS_LOANS_COUNT", "INSTAL_RECENT_COUNT"]
        + [name for name in numeric if name.endswith("_SHARE") and name.startswith(("PREV_", "CC_"))][:4],
    }


@pytest.mark.parametrize("plan_name", ["random 125", "monthly statuses", "application only", "counts and shares"])
def test_a_feature_plan_computes_its_columns_bit_equal_to_the_full_transform(tables, spec, plan_name):
    names = _plans(spec)[plan_name]
    planned = feature_plan(spec, names)
    full_rows, planned_rows = transform(tables, spec), transform(tables, planned)
    assert planned_rows.matrix(names).tobytes() == full_rows.matrix(names).tobytes()  # bit-equal, NaN included
    secondary_width = sum(len(block.names) for block in planned_rows.secondary)
    assert secondary_width == len([name for name in names if name not in planned_rows.application.numbers.names])
    for sk_id_curr in _applicants_to_check(tables, 40):  # one applicant at a time, as served
        alone = transform(_one_applicant(tables, sk_id_curr), planned)
        position = int(np.flatnonzero(full_rows.applicants == sk_id_curr)[0])
        assert alone.matrix(names).tobytes() == full_rows.matrix(names)[position : position + 1].tobytes(), sk_id_curr


def test_a_plan_skips_the_tables_it_does_not_read(tables, spec, monkeypatch):
    from pret_a_depenser.features import bureau

    def unread(*arguments, **keywords):
        raise AssertionError("bureau_balance read by a plan without monthly statuses")

    monkeypatch.setattr(bureau, "bureau_balance_by_credit", unread)
    rows = transform(tables, feature_plan(spec, ["BUREAU_ACTIVE_COUNT", "EXT_SOURCE_3"]))
    assert [block.source for block in rows.secondary if block.names] == ["bureau"]


def test_monthly_status_names_are_those_the_credits_get(tables, spec):
    from pret_a_depenser.features.bureau import balance_feature_names, bureau_balance_by_credit

    levels = spec["category_levels"]["bureau_balance"]["STATUS"]
    credits = tables["bureau"]["SK_ID_BUREAU"].head(50).to_numpy()
    assert list(bureau_balance_by_credit(tables["bureau_balance"], credits, levels)) == balance_feature_names(levels)


def test_a_plan_naming_a_column_the_spec_lacks_is_refused(spec):
    with pytest.raises(FeatureSpecError, match="NOT_A_FEATURE"):
        feature_plan(spec, ["EXT_SOURCE_2", "NOT_A_FEATURE"])
