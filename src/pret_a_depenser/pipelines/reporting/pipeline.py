"""Wiring of the reporting pipeline: the last step of the default run."""

from kedro.pipeline import Node, Pipeline

from .nodes import results_report


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=results_report,
                inputs=dict(
                    final_metrics="final_metrics",
                    decision_threshold="decision_threshold",
                    benchmark_results="benchmark_results",
                    tuning_trials="tuning_trials",
                    kept_features="kept_features",
                    fairness_table="fairness_table",
                    protected_attribute_effect="protected_attribute_effect",
                    promotion_decision="promotion_decision",
                    raw_data_lineage="raw_data_lineage",
                    business="params:business_cost",
                ),
                outputs="results_report",
                name="results_report_node",
            ),
        ],
        tags=["reporting"],
    )
