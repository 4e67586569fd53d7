"""Champion / challenger: a worse model registered after the champion does not take its alias."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import mlflow
import pandas as pd
import pytest
from conftest import kedro_run, project_environment

from pret_a_depenser.scoring.bundle import load_scoring_model


@pytest.fixture(scope="module")
def second_run(finished_project, tmp_path_factory):
    """A copy of the finished project where the final model is refitted with crippled hyperparameters
    (one tree of depth one) and registered again."""
    project = tmp_path_factory.mktemp("promotion") / "project"
    shutil.copytree(finished_project, project)
    final_params = project / "data/06_models/final_model_params.json"  # what train_final_model reads
    final_params.write_text(json.dumps({**json.loads(final_params.read_text()), "iterations": 1, "depth": 1}))
    result = kedro_run(project, "--env", "test", "--from-nodes", "train_final_model_node")
    assert result.returncode == 0, result.stderr[-4000:]
    return project


def test_a_worse_second_version_is_the_challenger_and_the_champion_alias_stays(finished_project, second_run):
    mlflow.set_tracking_uri(f"sqlite:///{second_run / 'mlflow.db'}")
    client = mlflow.MlflowClient()
    versions = sorted(client.search_model_versions("name='credit_scoring'"), key=lambda version: int(version.version))
    assert [int(version.version) for version in versions] == [1, 2]
    assert int(client.get_model_version_by_alias("credit_scoring", "champion").version) == 1
    assert int(client.get_model_version_by_alias("credit_scoring", "challenger").version) == 2
    second = client.get_model_version("credit_scoring", "2")
    assert second.tags["promotion"] == "challenger" and "business cost" in second.tags["promotion_reasons"]
    assert client.get_model_version("credit_scoring", "1").tags["promotion"] == "champion"
    decision = json.loads((second_run / "data/08_reporting/promotion_decision.json").read_text())
    first = json.loads((finished_project / "data/08_reporting/final_metrics.json").read_text())
    assert decision["promote"] is False and decision["champion"]["business_cost"] == pytest.approx(first["business_cost"])
    assert decision["business_cost"] > decision["champion"]["business_cost"]
    model = load_scoring_model({"source": "mlflow", "mlflow_model_uri": "models:/credit_scoring@champion"})  # as the service can
    assert model.mlflow_run_id == client.get_model_version("credit_scoring", "1").run_id


def test_the_bentoml_model_carries_its_registry_version(second_run):
    script = "import json, bentoml; print(json.dumps(bentoml.models.get('credit_scoring:latest').info.metadata))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        check=True,
        cwd=second_run,
        capture_output=True,
        text=True,
        env=project_environment(second_run),
    )
    metadata = json.loads(result.stdout.strip().splitlines()[-1])
    assert (
        metadata["registry_model"] == "credit_scoring"
        and metadata["registry_version"] == 2
        and metadata["registry_aliases"] == ["challenger"]
    )


def test_batch_scoring_can_score_with_the_champion(finished_project, second_run):
    result = kedro_run(second_run, "--env", "test", "--pipelines", "batch_scoring_champion")
    assert result.returncode == 0, result.stderr[-3000:]
    by_champion = pd.read_csv(second_run / "data/07_model_output/batch_decisions.csv")
    by_first_run = pd.read_csv(finished_project / "data/07_model_output/batch_decisions.csv")
    pd.testing.assert_frame_equal(by_champion.drop(columns="model_tag"), by_first_run.drop(columns="model_tag"))
