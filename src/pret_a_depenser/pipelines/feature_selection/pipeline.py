"""Wiring of the feature_selection pipeline."""

from kedro.pipeline import Node, Pipeline

from .nodes import compare_feature_sets, rank_features, select_features, selected_training_set


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=rank_features,
                inputs=dict(
                    training_set="training_set",
                    parameters="params:feature_selection",
                    protected_attributes="params:protected_attributes",
                    seed="params:seed",
                ),
                outputs="feature_importance",
                name="rank_features_node",
            ),
            Node(
                func=select_features,
                inputs=dict(
                    feature_importance="feature_importance",
                    training_set="training_set",
                    parameters="params:feature_selection",
                    seed="params:seed",
                ),
                outputs=["kept_features", "categorical_features"],
                name="select_features_node",
            ),
            Node(
                func=compare_feature_sets,
                inputs=dict(
                    training_set="training_set",
                    kept_features="kept_features",
                    parameters="params:feature_selection",
                    business="params:business_cost",
                    seed="params:seed",
                ),
                outputs="feature_selection_metrics",
                name="compare_feature_sets_node",
            ),
            Node(
                func=selected_training_set,
                inputs=dict(
                    training_set="training_set", kept_features="kept_features", categorical_features="categorical_features"
                ),
                outputs="selected_training_set",
                name="selected_training_set_node",
            ),
        ],
        tags=["feature_selection"],
    )
