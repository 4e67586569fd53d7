"""Wiring of the tuning pipeline."""

from kedro.pipeline import Node, Pipeline

from .nodes import tune_catboost, tuning_metrics


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=tune_catboost,
                inputs=dict(
                    selected_training_set="selected_training_set",
                    parameters="params:tuning",
                    business="params:business_cost",
                    seed="params:seed",
                ),
                outputs=["tuned_params", "tuning_trials"],
                name="tune_catboost_node",
            ),
            Node(func=tuning_metrics, inputs="tuning_trials", outputs="tuning_metrics", name="tuning_metrics_node"),
        ],
        tags=["tuning"],
    )
