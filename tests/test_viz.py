"""kedro-viz: the exported graph shows every pipeline, each node tagged with its pipeline."""

import json
import os
import subprocess
import sys

from conftest import copy_project

PIPELINES = {
    "data_processing",
    "split",
    "benchmarking",
    "feature_selection",
    "tuning",
    "thresholding",
    "final_model",
    "explainability",
    "serving",
    "batch_scoring",
    "reporting",
}
ON_DEMAND = {"generate_data", "monitoring", "outcome_monitoring", "batch_scoring_champion"}


def test_viz_build_contains_every_pipeline(tmp_path):
    project = copy_project(tmp_path)
    command = [sys.executable, "-m", "kedro", "viz", "build"]
    result = subprocess.run(
        command, check=False, cwd=project, capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "400"}
    )
    assert result.returncode == 0, result.stderr[-3000:]
    graph = json.loads((project / "build/api/main").read_text())
    assert PIPELINES | ON_DEMAND | {"__default__"} <= {pipeline["id"] for pipeline in graph["pipelines"]}
    tasks = [node for node in graph["nodes"] if node["type"] == "task"]
    assert all(set(node["tags"]) & (PIPELINES | ON_DEMAND) for node in tasks)
    default = json.loads((project / "build/api/pipelines/__default__").read_text())
    default_tags = {tag for node in default["nodes"] if node["type"] == "task" for tag in node["tags"]}
    assert default_tags == PIPELINES  # `kedro run` runs all of them; generate_data (make run) and the others on demand
