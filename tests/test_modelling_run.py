"""The whole default `kedro run` on a small generated sample, tracked in an empty MLflow store, then read
back through the MLflow client; and two tuning processes sharing one Optuna study in SQLite."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
import pytest
from conftest import project_environment

from pret_a_depenser.scoring.calibration import expected_calibration_error


def test_final_metrics_and_holdout_predictions_are_written(finished_project):
    metrics = json.loads((finished_project / "data/08_reporting/final_metrics.json").read_text())
    for key in (
        "roc_auc",
        "business_cost",
        "business_cost_per_applicant",
        "threshold",
        "n_holdout",
        "oracle_roc_auc",
        "oracle_business_cost",
    ):
        assert key in metrics, key
    assert 0.5 < metrics["roc_auc"] <= 1 and 0.5 < metrics["oracle_roc_auc"] <= 1
    predictions = pd.read_parquet(finished_project / "data/08_reporting/holdout_predictions.parquet")
    assert list(predictions.columns) == ["SK_ID_CURR", "TARGET", "PD", "SCORE"] and len(predictions) == metrics["n_holdout"]
    split = pd.read_parquet(finished_project / "data/05_model_input/holdout_split.parquet")
    assert set(predictions["SK_ID_CURR"]) == set(split.loc[split["SET"] == "holdout", "SK_ID_CURR"])
    assert len(json.loads((finished_project / "data/05_model_input/kept_features.json").read_text())) == 45
    plots = {path.name for path in (finished_project / "data/08_reporting").rglob("*.png")}
    assert {
        "benchmark_comparison.png",
        "cost_curve.png",
        "roc.png",
        "precision_recall.png",
        "calibration.png",
        "shap_beeswarm.png",
        "shap_mean_abs_bar.png",
    } <= plots
    assert any(name.startswith("waterfall_refused_") for name in plots) and any(
        name.startswith("waterfall_accepted_") for name in plots
    )
    report = (finished_project / "data/08_reporting/results.md").read_text()
    assert f"| ROC AUC | {metrics['roc_auc']:.4f} |" in report and "45 features kept." in report


def test_runs_metrics_and_model_read_back_from_mlflow(finished_project):
    mlflow.set_tracking_uri(f"sqlite:///{finished_project / 'mlflow.db'}")
    runs = mlflow.search_runs(experiment_names=["pret_a_depenser"])
    names = set(runs["tags.mlflow.runName"])
    assert {"__default__", "logistic_regression", "catboost", "mlp", "trial_000", "trial_001"} <= names
    parent = runs[runs["tags.mlflow.runName"] == "__default__"].iloc[0]
    children = runs[runs["tags.mlflow.parentRunId"] == parent["run_id"]]
    assert len(children) == 6 + 2  # six benchmarked models and two Optuna trials, nested under the Kedro run
    assert parent["params.tuning.n_trials"] == "2"  # parameters logged automatically, flattened
    artifacts = {artifact.path for artifact in mlflow.MlflowClient().list_artifacts(parent["run_id"])}
    assert {
        "benchmark_results.csv",
        "benchmark_comparison.png",
        "tuning_trials.csv",
        "final_metrics.json",
        "thresholding",
    } <= artifacts
    final = json.loads((finished_project / "data/08_reporting/final_metrics.json").read_text())
    metric_columns = [name for name in runs.columns if name.endswith("holdout_roc_auc")]
    assert metric_columns and parent[metric_columns[0]] == pytest.approx(final["roc_auc"])
    catboost = runs[runs["tags.mlflow.runName"] == "catboost"].iloc[0]
    assert 0 < catboost["metrics.roc_auc"] <= 1 and "metrics.business_cost_per_applicant" in runs

    logged = mlflow.search_logged_models(experiment_ids=[parent["experiment_id"]], output_format="list")
    assert len(logged) == 1 and logged[0].source_run_id == parent["run_id"]


def test_the_registered_pyfunc_answers_probability_and_decision_from_kaggle_records(finished_project):
    """The MLflow model scores the request contract's records, as the pipeline scored the same applicants."""
    mlflow.set_tracking_uri(f"sqlite:///{finished_project / 'mlflow.db'}")
    pyfunc = mlflow.pyfunc.load_model("models:/credit_scoring/latest")
    examples = json.loads((finished_project / "data/05_model_input/example_applicants.json").read_text())
    answers = pyfunc.predict(examples)
    decisions = pd.read_csv(finished_project / "data/07_model_output/batch_decisions.csv").set_index("SK_ID_CURR")
    threshold = json.loads((finished_project / "data/06_models/decision_threshold.json").read_text())["threshold"]
    assert [answer["SK_ID_CURR"] for answer in answers] == [example["application"]["SK_ID_CURR"] for example in examples]
    for answer in answers:
        assert answer["probability_of_default"] == pytest.approx(
            decisions.loc[answer["SK_ID_CURR"], "probability_of_default"], abs=1e-12
        )
        assert (
            answer["decision"] == ("REFUSED" if answer["probability_of_default"] >= threshold else "ACCEPTED")
            and answer["threshold"] == threshold
        )
    assert (
        pyfunc.metadata.metadata["feature_spec_version"]
        == json.loads((finished_project / "data/04_feature/feature_spec.json").read_text())["version"]
    )


def test_last_node_saves_the_inference_artefact_in_the_bentoml_store(finished_project):
    script = """
import json
from pret_a_depenser.datasets import BentoModelDataset

model = BentoModelDataset("credit_scoring").load()
examples = json.load(open("data/05_model_input/example_applicants.json"))
from pydantic import TypeAdapter
from pret_a_depenser.scoring import ApplicantRecords
applicants = TypeAdapter(list[ApplicantRecords]).validate_python(examples)
import bentoml
print(json.dumps({"tag": model.tag, "features": model.features, "threshold": model.threshold, "metadata": dict(bentoml.models.get(model.tag).info.metadata),
                  "feature_spec": model.feature_spec["version"], "first_pd": model.score(applicants[:1])[0].probability_of_default}))
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        cwd=finished_project,
        capture_output=True,
        text=True,
        env=project_environment(finished_project),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    saved = json.loads(result.stdout.strip().splitlines()[-1])
    kept = json.loads((finished_project / "data/05_model_input/kept_features.json").read_text())
    decision = json.loads((finished_project / "data/06_models/decision_threshold.json").read_text())
    final = json.loads((finished_project / "data/08_reporting/final_metrics.json").read_text())
    feature_spec = json.loads((finished_project / "data/04_feature/feature_spec.json").read_text())
    assert saved["tag"].startswith("credit_scoring:") and sorted(saved["features"]) == sorted(kept)
    assert saved["threshold"] == decision["threshold"] and saved["feature_spec"] == feature_spec["version"]
    assert saved["metadata"]["holdout_metrics"]["roc_auc"] == pytest.approx(final["roc_auc"])
    assert saved["metadata"]["mlflow_run_id"] and saved["metadata"]["feature_version"] and saved["metadata"]["data_version"]
    assert saved["metadata"]["feature_spec_version"] == feature_spec["version"]
    with (finished_project / "data/06_models/final_model.pkl").open("rb") as handle:
        final_model = pickle.load(handle)
    assert list(final_model.feature_names_) == saved["features"]
    decisions = pd.read_csv(finished_project / "data/07_model_output/batch_decisions.csv").set_index("SK_ID_CURR")
    first = json.loads((finished_project / "data/05_model_input/example_applicants.json").read_text())[0]["application"][
        "SK_ID_CURR"
    ]
    assert saved["first_pd"] == pytest.approx(decisions.loc[first, "probability_of_default"], abs=1e-12)


def test_two_tuning_processes_share_one_study_on_postgresql(finished_project, postgres_url):
    """One study shared by two processes, as by two machines: the storage is a SQLAlchemy URL (SQLite works the same)."""
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("CREATE DATABASE optuna")
    storage = postgres_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/optuna"
    command = [
        sys.executable,
        "-m",
        "kedro",
        "run",
        "--env",
        "test",
        "--pipelines",
        "tuning",
        "--params",
        f"tuning.storage={storage},tuning.n_trials=2",
    ]
    processes = [
        subprocess.Popen(
            command,
            cwd=finished_project,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=project_environment(finished_project),
        )
        for _ in range(2)
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=600)
        assert process.returncode == 0, stderr[-3000:]
    import optuna

    study = optuna.load_study(study_name="catboost_business_cost", storage=storage)
    assert len(study.trials) == 4 and all(trial.state.is_finished() for trial in study.trials)
    tuned = json.loads((finished_project / "data/06_models/tuned_params.json").read_text())
    assert tuned["depth"] == study.best_params["depth"]


@pytest.mark.parametrize(
    "name", ["01_data_exploration.ipynb", "02_model_benchmark_review.ipynb", "03_threshold_and_shap_review.ipynb"]
)
def test_notebooks_run_on_the_catalog(finished_project, project_root, name):
    import nbformat
    from nbclient import NotebookClient

    notebooks = finished_project / "notebooks"
    notebooks.mkdir(exist_ok=True)
    notebook = nbformat.read(project_root / "notebooks" / name, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(notebooks)}}).execute()
    errors = [output for cell in notebook.cells for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    assert not errors


def test_fairness_audit_and_model_card_are_written_logged_and_linked(finished_project):
    card = (finished_project / "data/08_reporting/model_card.md").read_text()
    for section in (
        "## Data",
        "## Features",
        "## Training",
        "## Holdout metrics and decision threshold",
        "## Fairness (holdout)",
        "## Drift baseline",
        "## Limitations",
    ):
        assert section in card, section
    fairness = pd.read_csv(finished_project / "data/08_reporting/fairness_table.csv")
    assert (
        set(fairness["attribute"]) == {"CODE_GENDER", "AGE_BAND"}
        and fairness["n"].sum()
        == 2 * json.loads((finished_project / "data/08_reporting/final_metrics.json").read_text())["n_holdout"]
    )
    mlflow.set_tracking_uri(f"sqlite:///{finished_project / 'mlflow.db'}")
    runs = mlflow.search_runs(experiment_names=["pret_a_depenser"], filter_string="tags.mlflow.runName = '__default__'")
    run_id = runs.iloc[0]["run_id"]
    assert any(name.startswith("metrics.") and "fairness.CODE_GENDER.F.approval_rate" in name for name in runs.columns)
    assert "model_card.md" in {artifact.path for artifact in mlflow.MlflowClient().list_artifacts(run_id)}
    script = "import json, bentoml; model = bentoml.models.get('credit_scoring:latest'); print(json.dumps({'card': model.info.metadata['model_card'], 'path': model.path}))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        check=False,
        cwd=finished_project,
        capture_output=True,
        text=True,
        env=project_environment(finished_project),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    linked = json.loads(result.stdout.strip().splitlines()[-1])
    assert linked["card"] == f"runs:/{run_id}/model_card.md"
    assert (Path(linked["path"]) / "MODEL_CARD.md").read_text() == card


def test_the_run_logs_its_input_data_and_the_registered_version_traces_to_it(finished_project):
    mlflow.set_tracking_uri(f"sqlite:///{finished_project / 'mlflow.db'}")
    run_id = mlflow.search_runs(experiment_names=["pret_a_depenser"], filter_string="tags.mlflow.runName = '__default__'").iloc[
        0
    ]["run_id"]
    inputs = mlflow.get_run(run_id).inputs.dataset_inputs
    logged = {
        (item.dataset.name, next(tag.value for tag in item.tags if tag.key == "mlflow.data.context")): item for item in inputs
    }
    raw = json.loads((finished_project / "data/08_reporting/raw_data_lineage.json").read_text())
    training = json.loads((finished_project / "data/08_reporting/training_data_lineage.json").read_text())
    assert set(raw) == {
        "application_train",
        "application_test",
        "bureau",
        "bureau_balance",
        "previous_application",
        "POS_CASH_balance",
        "installments_payments",
        "credit_card_balance",
    }
    assert raw["application_train"]["rows"] + raw["application_test"]["rows"] == 2500 and set(training) == {
        "selected_training_set",
        "holdout_set",
    }
    for context, tables in (("raw", raw), ("training", training)):
        for name, figures in tables.items():
            dataset = logged[(name, context)]
            assert dataset.dataset.digest == figures["digest"]
            assert {tag.key: tag.value for tag in dataset.tags}["rows"] == str(figures["rows"])
    client = mlflow.MlflowClient()
    version = client.get_model_version(
        "credit_scoring", str(max(int(item.version) for item in client.search_model_versions("name='credit_scoring'")))
    )
    assert version.run_id == run_id
    assert (
        version.tags["data_digest.bureau"] == raw["bureau"]["digest"]
        and version.tags["data_digest.selected_training_set"] == training["selected_training_set"]["digest"]
    )
    assert (
        version.tags["feature_spec_version"]
        == json.loads((finished_project / "data/04_feature/feature_spec.json").read_text())["version"]
    )
    assert len(version.tags["git_commit"].split("-")[0]) in (40, 7) or version.tags["git_commit"] == "unknown"


def test_the_pd_is_calibrated_and_no_protected_attribute_is_a_feature(finished_project):
    """The holdout's PDs are as calibrated as its few hundred applicants can tell: their expected
    calibration error is within what outcomes drawn from the PDs themselves (a perfectly calibrated
    model) give in 99 % of draws. (The model has no class weights, so its raw score is close to
    calibrated already; a class-weighted score, ECE ~0.3, is far outside.)"""
    final = json.loads((finished_project / "data/08_reporting/final_metrics.json").read_text())
    holdout = pd.read_parquet(finished_project / "data/08_reporting/holdout_predictions.parquet")
    assert final["expected_calibration_error"] == pytest.approx(expected_calibration_error(holdout["TARGET"], holdout["PD"]))
    probabilities = holdout["PD"].to_numpy()
    draws = np.random.default_rng(0).random((500, len(probabilities))) < probabilities
    perfect = [expected_calibration_error(outcomes, probabilities) for outcomes in draws]
    assert final["expected_calibration_error"] <= np.percentile(perfect, 99)
    assert (finished_project / "data/08_reporting/reliability_diagram.png").stat().st_size > 10_000
    kept = json.loads((finished_project / "data/05_model_input/kept_features.json").read_text())
    assert not any("CODE_GENDER" in name for name in kept)
    effect = json.loads((finished_project / "data/08_reporting/protected_attribute_effect.json").read_text())
    assert effect["protected_attributes"] == ["CODE_GENDER"] and set(effect["with"]) == {"roc_auc", "business_cost"}
    card = (finished_project / "data/08_reporting/model_card.md").read_text()
    assert "## Protected attributes" in card and "expected calibration error" in card
    fairness = pd.read_csv(finished_project / "data/08_reporting/fairness_table.csv")
    assert "CODE_GENDER" in set(fairness["attribute"])  # audited, though not a feature


def test_a_run_says_where_it_is_in_mlflow_and_keeps_node_durations(finished_project):
    """Each node starts with a progress line and the MLflow run's progress tag and metrics; the nodes'
    durations are kept for the next run's estimate of the time left."""
    durations = json.loads((finished_project / "data/08_reporting/node_durations.json").read_text())
    assert {"tune_catboost_node", "train_final_model_node"} <= set(durations) and all(value >= 0 for value in durations.values())
    client = mlflow.MlflowClient(f"sqlite:///{finished_project / 'mlflow.db'}")
    parent = client.search_runs(
        [client.get_experiment_by_name("pret_a_depenser").experiment_id], "tags.mlflow.runName = '__default__'"
    )[0]
    history = client.get_metric_history(parent.info.run_id, "progress_nodes_done")
    assert sorted(point.value for point in history) == list(range(len(history))) and len(history) > 40
    assert " · node " in parent.data.tags["progress"]
    assert {point.step for point in client.get_metric_history(parent.info.run_id, "progress_seconds_left")} == set()  # first run
