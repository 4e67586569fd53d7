"""Wiring of the serving pipeline: the default run's last nodes save what `bentoml serve` loads."""

from kedro.pipeline import Node, Pipeline

from .nodes import bento_model, mlflow_model, serving_model, training_data_lineage
from .promotion import promotion_decision


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=training_data_lineage,
                inputs=dict(selected_training_set="selected_training_set", holdout_set="holdout_set"),
                outputs="training_data_lineage",
                name="training_data_lineage_node",
            ),
            Node(
                func=serving_model,
                inputs=dict(
                    credit_scoring_model="credit_scoring_model",
                    selected_training_set="selected_training_set",
                    final_metrics="final_metrics",
                    shap_global_importance="shap_global_importance",
                    raw_data_lineage="raw_data_lineage",
                    training_data_lineage="training_data_lineage",
                ),
                outputs="serving_model",
                name="serving_model_node",
            ),
            Node(
                func=promotion_decision,
                inputs=dict(
                    champion_model="champion_model",
                    final_metrics="final_metrics",
                    fairness_table="fairness_table",
                    holdout_set="holdout_set",
                    business="params:business_cost",
                    parameters="params:promotion",
                ),
                outputs="promotion_decision",
                name="promotion_decision_node",
            ),
            Node(
                func=mlflow_model,
                inputs=dict(
                    serving_model="serving_model", example_applicants="example_applicants", promotion="promotion_decision"
                ),
                outputs="final_model_mlflow",
                name="log_final_model_node",
            ),
            Node(
                func=bento_model,
                inputs=dict(serving_model="serving_model", model_card="model_card", registered_version="final_model_mlflow"),
                outputs="credit_scoring_bento_model",
                name="save_bento_model_node",
            ),
        ],
        tags=["serving"],
    )
