"""Wiring of the batch_scoring pipeline."""

from kedro.pipeline import Node, Pipeline

from .nodes import kaggle_submission, score_applicants


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=score_applicants,
                inputs=dict(
                    credit_scoring_model="credit_scoring_bento_model",
                    applicants="model_input_test",
                    parameters="params:batch_scoring",
                ),
                outputs="batch_decisions",
                name="score_test_applicants_node",
            ),
            Node(func=kaggle_submission, inputs="batch_decisions", outputs="kaggle_submission", name="kaggle_submission_node"),
        ],
        tags=["batch_scoring"],
    )
