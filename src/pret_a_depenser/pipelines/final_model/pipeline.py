"""Wiring of the final_model pipeline."""

from kedro.pipeline import Node, Pipeline

from .fairness import fairness_audit, fairness_mlflow_metrics
from .inference import credit_scoring_model
from .model_card import model_card
from .nodes import evaluate_on_holdout, final_mlflow_metrics, protected_attribute_effect, reliability_diagram, train_final_model


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=train_final_model,
                inputs=dict(
                    selected_training_set="selected_training_set",
                    categorical_features="categorical_features",
                    tuned_params="final_model_params",
                    seed="params:seed",
                ),
                outputs="final_model",
                name="train_final_model_node",
            ),
            Node(
                func=credit_scoring_model,
                inputs=dict(
                    final_model="final_model",
                    feature_spec="feature_spec",
                    kept_features="kept_features",
                    categorical_features="categorical_features",
                    selected_training_set="selected_training_set",
                    decision_threshold="decision_threshold",
                    parameters="params:serving",
                    pd_calibration="pd_calibration",
                ),
                outputs="credit_scoring_model",
                name="credit_scoring_model_node",
            ),
            Node(
                func=evaluate_on_holdout,
                inputs=dict(
                    credit_scoring_model="credit_scoring_model",
                    holdout_set="holdout_set",
                    business="params:business_cost",
                    generator_truth="raw_generator_truth",
                ),
                outputs=["final_metrics", "holdout_predictions"],
                name="evaluate_on_holdout_node",
            ),
            Node(
                func=final_mlflow_metrics,
                inputs="final_metrics",
                outputs="final_holdout_metrics",
                name="final_holdout_metrics_node",
            ),
            Node(
                func=reliability_diagram,
                inputs=dict(holdout_predictions="holdout_predictions", bins="params:final_model.calibration_bins"),
                outputs="reliability_diagram",
                name="reliability_diagram_node",
            ),
            Node(
                func=protected_attribute_effect,
                inputs=dict(
                    credit_scoring_model="credit_scoring_model",
                    final_metrics="final_metrics",
                    training_set="training_set",
                    holdout_set="holdout_set",
                    tuned_params="final_model_params",
                    protected_attributes="params:protected_attributes",
                    business="params:business_cost",
                    seed="params:seed",
                ),
                outputs="protected_attribute_effect",
                name="protected_attribute_effect_node",
            ),
            Node(
                func=fairness_audit,
                inputs=dict(
                    holdout_predictions="holdout_predictions",
                    holdout_set="holdout_set",
                    decision_threshold="decision_threshold",
                    parameters="params:fairness",
                ),
                outputs="fairness_table",
                name="fairness_audit_node",
            ),
            Node(func=fairness_mlflow_metrics, inputs="fairness_table", outputs="fairness_metrics", name="fairness_metrics_node"),
            Node(
                func=model_card,
                inputs=dict(
                    model_input_train="model_input_train",
                    holdout_split="holdout_split",
                    generator_truth="raw_generator_truth",
                    kept_features="kept_features",
                    categorical_features="categorical_features",
                    tuned_params="final_model_params",
                    decision_threshold="decision_threshold",
                    final_metrics="final_metrics",
                    fairness_table="fairness_table",
                    protected_attribute_effect="protected_attribute_effect",
                    pd_calibration="pd_calibration",
                    business="params:business_cost",
                    monitoring="params:monitoring",
                    parameters="params:model_card",
                ),
                outputs="model_card",
                name="model_card_node",
            ),
        ],
        tags=["final_model"],
    )
