"""Wiring of the split pipeline: the head of every modelling pipeline."""

from kedro.pipeline import Node, Pipeline

from .nodes import split_holdout, training_and_holdout_sets


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=split_holdout,
                inputs=dict(model_input_train="model_input_train", parameters="params:split", seed="params:seed"),
                outputs="holdout_split",
                name="split_holdout_node",
            ),
            Node(
                func=training_and_holdout_sets,
                inputs=dict(model_input_train="model_input_train", holdout_split="holdout_split"),
                outputs=["training_set", "holdout_set"],
                name="training_and_holdout_sets_node",
            ),
        ],
        tags=["split"],
    )
