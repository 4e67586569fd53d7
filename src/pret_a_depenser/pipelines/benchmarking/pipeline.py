"""Wiring of the benchmarking pipeline."""

from kedro.pipeline import Node, Pipeline

from .nodes import benchmark_chart, benchmark_models, best_benchmark_metrics


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=benchmark_models,
                inputs=dict(
                    training_set="training_set",
                    parameters="params:benchmarking",
                    business="params:business_cost",
                    seed="params:seed",
                ),
                outputs="benchmark_results",
                name="benchmark_models_node",
            ),
            Node(func=benchmark_chart, inputs="benchmark_results", outputs="benchmark_chart", name="benchmark_chart_node"),
            Node(
                func=best_benchmark_metrics,
                inputs="benchmark_results",
                outputs="benchmark_metrics",
                name="benchmark_metrics_node",
            ),
        ],
        tags=["benchmarking"],
    )
