"""Wiring of batch_scoring_champion: the batch_scoring pipeline, its model input mapped to the champion."""

from kedro.pipeline import Pipeline

from pret_a_depenser.pipelines.batch_scoring import create_pipeline as batch_scoring


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(batch_scoring(), inputs={"credit_scoring_bento_model": "champion_model"}, tags=["batch_scoring_champion"])
