"""Wiring of batch_scoring_champion: the batch_scoring pipeline, its model input mapped to the champion."""

from kedro.pipeline import Pipeline

from pret_a_depenser.pipelines.batch_scoring import create_pipeline as batch_scoring


def create_pipeline(**kwargs) -> Pipeline:
    """The same nodes under their own namespace (own names in kedro-viz), reading and writing the same datasets."""
    return Pipeline(
        batch_scoring(),
        namespace="batch_scoring_champion",
        inputs={"credit_scoring_bento_model": "champion_model", "model_input_test": "model_input_test"},
        outputs={"batch_decisions": "batch_decisions", "kaggle_submission": "kaggle_submission"},
        parameters={"params:batch_scoring": "params:batch_scoring"},
        tags=["batch_scoring_champion"],
    )
