"""Wiring of the serving pipeline: the default run's last nodes save what `bentoml serve` loads."""

from kedro.pipeline import Node, Pipeline

from .nodes import mlflow_model, serving_bundle, serving_spec


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=serving_spec,
                inputs=dict(
                    model_input_train="model_input_train",
                    holdout_split="holdout_split",
                    kept_features="kept_features",
                    categorical_features="categorical_features",
                    decision_threshold="decision_threshold",
                    final_metrics="final_metrics",
                    shap_global_importance="shap_global_importance",
                    feature_spec="feature_spec",
                    parameters="params:serving",
                ),
                outputs="serving_spec",
                name="serving_spec_node",
            ),
            Node(
                func=mlflow_model,
                inputs=dict(final_model="final_model", model_input_train="model_input_train", serving_spec="serving_spec"),
                outputs="final_model_mlflow",
                name="log_final_model_node",
            ),
            Node(
                func=serving_bundle,
                inputs=dict(final_model="final_model", serving_spec="serving_spec", model_card="model_card"),
                outputs="credit_scoring_bento_model",
                name="save_bento_model_node",
            ),
        ],
        tags=["serving"],
    )
