"""Wiring of the feature_selection pipeline."""

from kedro.pipeline import Node, Pipeline

from .nodes import compare_feature_sets, rank_features, select_features


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=rank_features,
                inputs=dict(
                    model_input_train="model_input_train",
                    holdout_split="holdout_split",
                    parameters="params:feature_selection",
                    protected_attributes="params:protected_attributes",
                ),
                outputs="feature_importance",
                name="rank_features_node",
            ),
            Node(
                func=select_features,
                inputs=dict(
                    feature_importance="feature_importance",
                    model_input_train="model_input_train",
                    holdout_split="holdout_split",
                    parameters="params:feature_selection",
                ),
                outputs=["kept_features", "categorical_features"],
                name="select_features_node",
            ),
            Node(
                func=compare_feature_sets,
                inputs=dict(
                    model_input_train="model_input_train",
                    holdout_split="holdout_split",
                    kept_features="kept_features",
                    parameters="params:feature_selection",
                    business="params:business_cost",
                ),
                outputs="feature_selection_metrics",
                name="compare_feature_sets_node",
            ),
        ],
        tags=["feature_selection"],
    )
