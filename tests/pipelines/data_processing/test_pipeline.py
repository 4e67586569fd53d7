"""The data_processing pipeline on a small generated sample, run as Kedro runs it."""

from __future__ import annotations

import re

import polars as pl
import pytest
import yaml
from kedro.io import DataCatalog
from kedro.runner import SequentialRunner
from kedro_datasets.json import JSONDataset

from pret_a_depenser.pipelines.data_processing import create_pipeline
from pret_a_depenser.pipelines.data_processing.pipeline import RAW_TABLES

FEATURE_NAME = re.compile(r"^(APP|BUREAU|PREV|POS|INSTAL|CC)_[A-Z0-9_]+$|^[A-Z0-9_]+$")


@pytest.fixture(scope="module")
def outputs(small_raw_tables, project_root, tmp_path_factory):
    parameters = yaml.safe_load((project_root / "conf/base/parameters_data_processing.yml").read_text())
    catalog = DataCatalog()
    for table in RAW_TABLES:
        catalog[f"raw_{table}"] = small_raw_tables[table]
    catalog["params:data_processing"] = parameters["data_processing"]
    for name, value in parameters["data_processing"].items():
        catalog[f"params:data_processing.{name}"] = value
    catalog["feature_spec"] = JSONDataset(filepath=str(tmp_path_factory.mktemp("spec") / "feature_spec.json"))
    outputs = SequentialRunner().run(create_pipeline(), catalog)
    read = {name: outputs[name].load() for name in ("model_input_train", "model_input_test", "unseen_category_levels")}
    return {**read, "feature_spec": catalog.load("feature_spec")}


def test_one_row_per_applicant_with_target_only_in_train(outputs, small_raw_tables):
    train, test = outputs["model_input_train"], outputs["model_input_test"]
    assert train["SK_ID_CURR"].is_unique().all() and test["SK_ID_CURR"].is_unique().all()
    assert sorted(train["SK_ID_CURR"]) == sorted(small_raw_tables["application_train"]["SK_ID_CURR"])
    assert sorted(test["SK_ID_CURR"]) == sorted(small_raw_tables["application_test"]["SK_ID_CURR"])
    assert set(train["TARGET"]) == {0, 1} and "TARGET" not in test.columns
    assert test.columns == [name for name in train.columns if name != "TARGET"]


def test_model_input_has_the_feature_spec_columns(outputs):
    spec = outputs["feature_spec"]
    assert outputs["model_input_test"].columns == [column["name"] for column in spec["columns"]]
    assert outputs["unseen_category_levels"]["feature_spec_version"] == spec["version"]


def test_feature_table_is_wide_and_follows_the_naming_scheme(outputs):
    train = outputs["model_input_train"]
    assert train.width > 1500
    assert all(FEATURE_NAME.match(name) for name in train.columns)
    for prefix in (
        "APP_",
        "BUREAU_ACTIVE_",
        "BUREAU_CLOSED_",
        "PREV_APPROVED_",
        "PREV_REFUSED_",
        "POS_RECENT_",
        "INSTAL_RECENT_",
        "CC_RECENT_",
    ):
        assert any(name.startswith(prefix) for name in train.columns), prefix


def test_applicants_without_history_get_zero_counts(outputs, small_raw_tables):
    train = outputs["model_input_train"]
    without_bureau = train.filter(~pl.col("SK_ID_CURR").is_in(small_raw_tables["bureau"]["SK_ID_CURR"].implode()))
    assert without_bureau.height and (without_bureau["BUREAU_COUNT"] == 0).all()
    assert without_bureau["BUREAU_AMT_CREDIT_SUM_MEAN"].is_null().all()
