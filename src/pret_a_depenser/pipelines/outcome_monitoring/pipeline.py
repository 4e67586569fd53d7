"""Wiring of the outcome_monitoring pipeline (on demand: `kedro run --pipelines outcome_monitoring`)."""

from kedro.pipeline import Node, Pipeline

from pret_a_depenser.pipelines.monitoring.nodes import reference_applicants

from .nodes import decisions_with_outcomes, outcome_alerts, outcome_report


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
                outputs="outcome_reference",
                name="outcome_reference_node",
            ),
            Node(
                func=decisions_with_outcomes,
                inputs=dict(
                    credit_scoring_model="credit_scoring_bento_model",
                    decision_audit_log="decision_audit_log",
                    decision_outcomes="decision_outcomes",
                    parameters="params:outcome_monitoring",
                ),
                outputs="decisions_with_outcomes",
                name="decisions_with_outcomes_node",
            ),
            Node(
                func=outcome_report,
                inputs=dict(
                    decisions="decisions_with_outcomes",
                    reference="outcome_reference",
                    credit_scoring_model="credit_scoring_bento_model",
                    final_metrics="final_metrics",
                    business="params:business_cost",
                    monitoring="params:monitoring",
                    parameters="params:outcome_monitoring",
                ),
                outputs="outcome_report",
                name="outcome_report_node",
            ),
            Node(
                func=outcome_alerts,
                inputs="outcome_report",
                outputs=["outcome_alert_tags", "outcome_summary"],
                name="outcome_alerts_node",
            ),
        ],
        tags=["outcome_monitoring"],
    )
