"""Wiring of the explainability pipeline."""

from kedro.pipeline import Node, Pipeline

from .nodes import explain_holdout_sample, global_importance, global_plots, local_waterfalls


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=explain_holdout_sample,
                inputs=dict(
                    credit_scoring_model="credit_scoring_model",
                    holdout_set="holdout_set",
                    parameters="params:explainability",
                    seed="params:seed",
                ),
                outputs="shap_explanation",
                name="explain_holdout_sample_node",
            ),
            Node(
                func=global_importance,
                inputs="shap_explanation",
                outputs="shap_global_importance",
                name="shap_global_importance_node",
            ),
            Node(
                func=global_plots,
                inputs=dict(explanation="shap_explanation", parameters="params:explainability"),
                outputs="shap_global_plots",
                name="shap_global_plots_node",
            ),
            Node(
                func=local_waterfalls,
                inputs=dict(
                    explanation="shap_explanation",
                    credit_scoring_model="credit_scoring_model",
                    parameters="params:explainability",
                ),
                outputs="shap_local_plots",
                name="shap_local_plots_node",
            ),
        ],
        tags=["explainability"],
    )
