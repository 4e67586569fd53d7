"""`kedro run --pipelines outcome_monitoring` on a copy of the small trained project: the holdout
applicants decided by the served model in January, the same applicants with a shifted feature in
February, and their real outcomes: January matches the holdout's expectation, February is flagged."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import mlflow
import numpy as np
import pandas as pd
from conftest import kedro_run, project_environment

from pret_a_depenser.scoring import CreditScoringModel
from pret_a_depenser.scoring.audit import DecisionAuditLog


def test_a_period_with_a_shifted_population_is_flagged_and_a_normal_one_is_not(finished_project, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(finished_project, project, ignore=shutil.ignore_patterns("decisions.sqlite*"))
    served_tag = (
        subprocess.run(
            [sys.executable, "-c", "import bentoml; print(bentoml.models.get('credit_scoring:latest').tag)"],
            check=True,
            cwd=project,
            capture_output=True,
            text=True,
            env=project_environment(project),
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    model = CreditScoringModel.load(project / "data/06_models/credit_scoring_model")
    holdout = pd.read_parquet(project / "data/05_model_input/holdout_set.parquet")
    shifted_feature = next(
        name for name in model.numeric_features if holdout[name].notna().mean() > 0.9 and holdout[name].std() > 0
    )
    shifted = holdout.assign(
        **{
            shifted_feature: holdout[shifted_feature] + 4 * holdout[shifted_feature].std(),
            "SK_ID_CURR": holdout["SK_ID_CURR"] + 10_000_000,
        }
    )

    log = DecisionAuditLog(project / "data/audit/decisions.sqlite", retention_days=183, model_tag=served_tag, mlflow_run_id=None)
    outcomes = []
    for frame, observed_on in ((holdout, "2027-01-20"), (shifted, "2027-02-20")):
        inputs = model.inputs_from_frame(frame)
        results = model.score_inputs(inputs)
        features = [model.feature_values(inputs, row) for row in range(len(inputs))]
        log.record(f"batch-{observed_on}", "predict_batch", features, results, 1.0, applicant_ids=frame["SK_ID_CURR"].tolist())
        outcomes.append(pd.DataFrame({"SK_ID_CURR": frame["SK_ID_CURR"], "TARGET": frame["TARGET"], "OBSERVED_ON": observed_on}))
    log.close()
    (project / "data/outcomes").mkdir()
    pd.concat(outcomes).to_csv(project / "data/outcomes/decision_outcomes.csv", index=False)

    result = kedro_run(project, "--env", "test", "--pipelines", "outcome_monitoring")
    assert result.returncode == 0, result.stderr[-4000:]
    report = pd.read_csv(project / "data/08_reporting/outcome_report.csv").fillna({"drifted_features": ""})
    final = json.loads((project / "data/08_reporting/final_metrics.json").read_text())
    january, february = report.iloc[0], report.iloc[1]
    assert report["period"].tolist() == ["2027-01", "2027-02"] and january["n_decisions"] == final["n_holdout"]
    assert np.isclose(january["business_cost_per_applicant"], final["business_cost_per_applicant"]) and np.isclose(
        january["roc_auc"], final["roc_auc"]
    )
    assert not january["cost_alert"] and not january["drift_alert"]
    assert february["drift_alert"] and shifted_feature in february["drifted_features"].split(", ")
    summary = (project / "data/08_reporting/outcome_summary.md").read_text()
    assert "2027-01" in summary and "ALERT: drift past PSI action level" in summary
    mlflow.set_tracking_uri(f"sqlite:///{project / 'mlflow.db'}")
    run = mlflow.search_runs(experiment_names=["pret_a_depenser"], order_by=["start_time DESC"]).iloc[0]
    assert run["tags.outcome_alert"] == "true" and "2027-02" in run["tags.outcome_alert_periods"]
