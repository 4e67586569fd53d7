"""``kedro run --pipelines generate_data --params "generate_data.n_applicants=5000"``."""

from kedro.pipeline import Node, Pipeline

from pret_a_depenser.generator import TABLES

from .nodes import generate_home_credit_tables

RAW_OUTPUTS = [f"raw_{name}" for name in (*TABLES, "generator_truth")]


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=generate_home_credit_tables,
                inputs=dict(parameters="params:generate_data", seed="params:seed"),
                outputs={name: name for name in RAW_OUTPUTS},
                name="generate_home_credit_tables_node",
                tags=["generate_data"],
            )
        ]
    )
