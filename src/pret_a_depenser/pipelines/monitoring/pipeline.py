"""Wiring of the monitoring pipeline (`kedro run --pipelines monitoring`)."""

from kedro.pipeline import Node, Pipeline

from .nodes import current_applicants, drift_mlflow_metrics, drift_statistics, reference_applicants
from .report import drift_report


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=reference_applicants,
                inputs=dict(
                    credit_scoring_model="credit_scoring_bento_model",
                    training_set="training_set",
                    parameters="params:monitoring",
                    seed="params:seed",
                ),
                outputs="monitoring_reference",
                name="reference_applicants_node",
            ),
            Node(
                func=current_applicants,
                inputs=dict(
                    credit_scoring_model="credit_scoring_bento_model",
                    decision_audit_log="decision_audit_log",
                    model_input_test="model_input_test",
                    parameters="params:monitoring",
                ),
                outputs="monitoring_current",
                name="current_applicants_node",
            ),
            Node(
                func=drift_statistics,
                inputs=dict(
                    reference="monitoring_reference",
                    current="monitoring_current",
                    credit_scoring_model="credit_scoring_bento_model",
                    parameters="params:monitoring",
                ),
                outputs="drift_statistics",
                name="drift_statistics_node",
            ),
            Node(
                func=drift_report,
                inputs=dict(
                    drift_table="drift_statistics",
                    reference="monitoring_reference",
                    current="monitoring_current",
                    parameters="params:monitoring",
                ),
                outputs="drift_report",
                name="drift_report_node",
            ),
            Node(func=drift_mlflow_metrics, inputs="drift_statistics", outputs="drift_metrics", name="drift_metrics_node"),
        ],
        tags=["monitoring"],
    )
