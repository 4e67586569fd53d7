"""Wiring of the serving pipeline."""

from kedro.pipeline import Node, Pipeline

from .nodes import serving_bundle


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=serving_bundle,
                inputs=dict(
                    final_model="final_model",
                    model_input_train="model_input_train",
                    holdout_split="holdout_split",
                    kept_features="kept_features",
                    categorical_features="categorical_features",
                    decision_threshold="decision_threshold",
                    final_metrics="final_metrics",
                    shap_global_importance="shap_global_importance",
                ),
                outputs="credit_scoring_bento_model",
                name="save_bento_model_node",
            ),
        ],
        tags=["serving"],
    )
