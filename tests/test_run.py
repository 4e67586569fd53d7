"""`kedro run` as a user runs it, in a copy of the project: fresh clone, real files, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import polars as pl
import pytest
from conftest import kedro_run

SMALL = ["--params", "generate_data.n_applicants=1200,generate_data.progress=false"]


def outputs_written(project: Path) -> list[str]:
    return sorted(
        str(path.relative_to(project)) for layer in ("02", "03", "04", "05") for path in project.glob(f"data/{layer}_*/*.*")
    )


def test_fresh_clone_asks_for_data_then_builds_the_model_input_of_the_generated_sample(project_copy):
    empty = kedro_run(project_copy, "--pipelines", "data_processing")
    assert (
        empty.returncode != 0
        and "holds none of the eight Kaggle files" in empty.stderr
        and "--pipelines generate_data" in empty.stderr
    )
    assert outputs_written(project_copy) == []
    assert kedro_run(project_copy, "--pipelines", "generate_data", *SMALL).returncode == 0
    result = kedro_run(project_copy, "--pipelines", "data_processing")
    assert result.returncode == 0, result.stderr[-3000:]
    raw = project_copy / "data/01_raw"
    assert {path.name for path in raw.glob("*.csv")} >= {"application_train.csv", "bureau_balance.csv", "generator_truth.csv"}
    manifest = json.loads((raw / "generator_manifest.json").read_text())["generated_files"]
    assert manifest["application_train.csv"] == (raw / "application_train.csv").stat().st_size
    train = pd.read_parquet(project_copy / "data/05_model_input/model_input_train.parquet")
    test = pd.read_parquet(project_copy / "data/05_model_input/model_input_test.parquet")
    assert len(train) + len(test) == 1200

    # Generated files may be regenerated; a file the generator did not write may not.
    assert kedro_run(project_copy, "--pipelines", "generate_data", *SMALL).returncode == 0
    with (raw / "bureau.csv").open("a") as handle:
        handle.write("\n")
    refused = kedro_run(project_copy, "--pipelines", "generate_data", *SMALL)
    assert refused.returncode != 0
    assert "will not overwrite raw files it did not write" in refused.stderr and "bureau.csv" in refused.stderr


def test_real_files_without_manifest_are_never_overwritten(project_copy, small_raw_tables):
    raw = project_copy / "data/01_raw"
    for name in (
        "application_train",
        "application_test",
        "bureau",
        "bureau_balance",
        "previous_application",
        "POS_CASH_balance",
        "installments_payments",
        "credit_card_balance",
    ):
        small_raw_tables[name].write_csv(raw / f"{name}.csv")
    before = (raw / "application_train.csv").read_bytes()
    refused = kedro_run(project_copy, "--pipelines", "generate_data", *SMALL)
    assert refused.returncode != 0 and "application_train.csv" in refused.stderr
    assert (raw / "application_train.csv").read_bytes() == before
    # ...and the pipelines run on them unchanged, without generating anything.
    assert kedro_run(project_copy, "--pipelines", "data_processing").returncode == 0
    assert not (raw / "generator_truth.csv").exists()


def test_stale_generator_truth_next_to_real_files_is_refused(project_copy, small_raw_tables):
    raw = project_copy / "data/01_raw"
    assert kedro_run(project_copy, "--pipelines", "generate_data", *SMALL).returncode == 0
    small_raw_tables["application_train"].write_csv(raw / "application_train.csv")  # a user's own file
    result = kedro_run(project_copy, "--pipelines", "data_processing")
    assert result.returncode != 0
    assert "generator_truth.csv comes from generated data" in result.stderr and "application_train.csv" in result.stderr
    assert outputs_written(project_copy) == []


def test_incomplete_raw_folder_names_the_missing_files(project_copy, small_raw_tables):
    small_raw_tables["application_train"].write_csv(project_copy / "data/01_raw/application_train.csv")
    result = kedro_run(project_copy, "--pipelines", "data_processing")
    assert result.returncode != 0
    assert "Raw data is incomplete" in result.stderr and "bureau_balance.csv" in result.stderr
    assert outputs_written(project_copy) == []


@pytest.mark.parametrize(
    ("table", "corrupt", "message"),
    [
        (
            "application_train",
            lambda f: f.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(7).otherwise(pl.col("TARGET")).alias("TARGET")),
            "application_train.csv: column 'TARGET' fails rule 'isin([0, 1])'",
        ),
        ("bureau", lambda f: f.drop("AMT_CREDIT_SUM"), "bureau.csv: table fails rule 'column_in_dataframe'"),
        (
            "bureau_balance",
            lambda f: f.with_columns(pl.col("MONTHS_BALANCE").cast(pl.String).str.replace(r"^-1$", "last month")),
            "bureau_balance.csv: column 'MONTHS_BALANCE' fails rule 'coerce_dtype(Int64)'",
        ),
    ],
)
def test_bad_raw_file_stops_the_run_before_anything_is_written(project_copy, small_raw_tables, table, corrupt, message):
    raw = project_copy / "data/01_raw"
    for name, frame in small_raw_tables.items():  # a user's own files: no generator truth beside them
        (corrupt(frame) if name == table else frame).write_csv(raw / f"{name}.csv")
    result = kedro_run(project_copy, "--pipelines", "data_processing")
    assert result.returncode != 0
    assert message in result.stderr
    assert outputs_written(project_copy) == []
