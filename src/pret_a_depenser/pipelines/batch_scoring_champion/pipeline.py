"""Wiring of batch_scoring_champion: batch_scoring's scoring node, its model input mapped to the champion."""

from kedro.pipeline import Pipeline

from pret_a_depenser.pipelines.batch_scoring import create_pipeline as batch_scoring


def create_pipeline(**kwargs) -> Pipeline:
    """The scoring node under its own namespace, writing the same decisions table (the Kaggle submission
    stays the latest model's)."""
    return Pipeline(
        batch_scoring().only_nodes("score_test_applicants_node"),
        namespace="batch_scoring_champion",
        inputs={"credit_scoring_bento_model": "champion_model", "model_input_test": "model_input_test"},
        outputs={"batch_decisions": "batch_decisions"},
        parameters={"params:batch_scoring": "params:batch_scoring"},
        tags=["batch_scoring_champion"],
    )
