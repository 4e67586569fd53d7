"""`kedro run --pipelines monitoring` in the small project: test applicants as they are (stable), and an
audit log of the same applicants with one feature deliberately shifted (that feature flagged)."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

import mlflow
import pandas as pd
from conftest import kedro_run, project_environment

from pret_a_depenser.modelling.estimators import catboost_frame
from pret_a_depenser.scoring import Decision
from pret_a_depenser.scoring.audit import DecisionAuditLog


def _drift(project) -> pd.DataFrame:
    return pd.read_csv(project / "data/08_reporting/drift_statistics.csv").set_index("feature")


def test_unshifted_batch_is_stable_and_shifted_feature_in_the_audit_log_is_flagged(finished_project):
    result = kedro_run(
        finished_project, "--env", "test", "--pipelines", "monitoring", "--params", "monitoring.current_source=test_applicants"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    unshifted = _drift(finished_project)
    assert (unshifted.loc[unshifted["kind"] != "score", "status"] != "drift").all(), unshifted[unshifted["status"] == "drift"]
    assert "<h1>Drift report: credit_scoring</h1>" in (finished_project / "data/08_reporting/drift_report.html").read_text()

    kept = json.loads((finished_project / "data/05_model_input/kept_features.json").read_text())
    categorical = json.loads((finished_project / "data/05_model_input/categorical_features.json").read_text())
    test = pd.read_parquet(finished_project / "data/05_model_input/model_input_test.parquet", columns=kept)
    numeric = [name for name in kept if name not in categorical and test[name].notna().mean() > 0.9 and test[name].nunique() > 20]
    shifted_feature = numeric[0]
    shifted = test.copy()
    shifted[shifted_feature] = shifted[shifted_feature] + shifted[shifted_feature].std()
    with (finished_project / "data/06_models/final_model.pkl").open("rb") as handle:
        final_model = pickle.load(handle)
    probabilities = final_model.predict_proba(catboost_frame(shifted[list(final_model.feature_names_)], categorical))[:, 1]
    applicants = shifted.astype(object).where(shifted.notna(), None).to_dict(orient="records")
    served_tag = (
        subprocess.run(
            [sys.executable, "-c", "import bentoml; print(bentoml.models.get('credit_scoring:latest').tag)"],
            check=True,
            cwd=finished_project,
            capture_output=True,
            text=True,
            env=project_environment(finished_project),
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    log = DecisionAuditLog(
        finished_project / "data/audit/decisions.sqlite", retention_days=183, model_tag="credit_scoring:older", mlflow_run_id=None
    )
    log.record(
        "older-model",
        "predict",
        [{"EXT_SOURCE_2": 0.1}] * 40,
        [Decision(0.9, "REFUSED", 0.5, "credit_scoring:older")] * 40,
        1.0,
    )
    log.close()  # decisions of another model version are not compared with this one's training data
    log = DecisionAuditLog(
        finished_project / "data/audit/decisions.sqlite", retention_days=183, model_tag=served_tag, mlflow_run_id=None
    )
    for applicant, probability in zip(applicants, probabilities, strict=True):
        decision = Decision(float(probability), "ACCEPTED", 0.5, served_tag)
        log.record("shifted-batch", "predict", [applicant], [decision], 1.0)
    log.close()

    result = kedro_run(finished_project, "--env", "test", "--pipelines", "monitoring")
    assert result.returncode == 0, result.stderr[-3000:]
    drift = _drift(finished_project)
    flagged = set(drift.index[(drift["status"] == "drift") & (drift["kind"] != "score")])
    assert flagged == {shifted_feature}, drift.head(5)
    mlflow.set_tracking_uri(f"sqlite:///{finished_project / 'mlflow.db'}")
    runs = mlflow.search_runs(
        experiment_names=["pret_a_depenser"], filter_string="tags.mlflow.runName = 'monitoring'", order_by=["start_time DESC"]
    )
    drifted = next(name for name in runs.columns if name.startswith("metrics.") and name.endswith("drift.n_features_drifted"))
    assert runs.iloc[0][drifted] == 1
