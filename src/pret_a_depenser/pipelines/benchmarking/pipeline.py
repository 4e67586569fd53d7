"""Wiring of the benchmarking pipeline."""

from kedro.pipeline import Node, Pipeline

from .nodes import benchmark_chart, benchmark_models, best_benchmark_metrics, split_holdout


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=split_holdout,
                inputs=dict(model_input_train="model_input_train", parameters="params:split"),
                outputs="holdout_split",
                name="split_holdout_node",
            ),
            Node(
                func=benchmark_models,
                inputs=dict(
                    model_input_train="model_input_train",
                    holdout_split="holdout_split",
                    parameters="params:benchmarking",
                    business="params:business_cost",
                ),
                outputs="benchmark_results",
                name="benchmark_models_node",
            ),
            Node(func=benchmark_chart, inputs="benchmark_results", outputs="benchmark_chart", name="benchmark_chart_node"),
            Node(func=best_benchmark_metrics, inputs="benchmark_results", outputs="benchmark_metrics", name="benchmark_metrics_node"),
        ],
        tags=["benchmarking"],
    )
