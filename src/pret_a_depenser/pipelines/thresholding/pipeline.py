"""Wiring of the thresholding pipeline."""

from kedro.pipeline import Node, Pipeline

from .nodes import calibrate_out_of_fold, choose_threshold, threshold_metrics, threshold_plots, tuned_out_of_fold_predictions


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=tuned_out_of_fold_predictions,
                inputs=dict(
                    selected_training_set="selected_training_set",
                    tuned_params="tuned_params",
                    parameters="params:thresholding",
                    seed="params:seed",
                ),
                outputs=["oof_predictions", "final_model_params"],
                name="tuned_out_of_fold_predictions_node",
            ),
            Node(
                func=calibrate_out_of_fold,
                inputs=dict(oof_predictions="oof_predictions", parameters="params:thresholding"),
                outputs=["pd_calibration", "calibrated_oof_predictions"],
                name="calibrate_out_of_fold_node",
            ),
            Node(
                func=choose_threshold,
                inputs=dict(
                    oof_predictions="calibrated_oof_predictions",
                    parameters="params:thresholding",
                    business="params:business_cost",
                    seed="params:seed",
                ),
                outputs=["threshold_cost_curve", "decision_threshold"],
                name="choose_threshold_node",
            ),
            Node(func=threshold_metrics, inputs="decision_threshold", outputs="threshold_metrics", name="threshold_metrics_node"),
            Node(
                func=threshold_plots,
                inputs=["calibrated_oof_predictions", "threshold_cost_curve", "decision_threshold"],
                outputs="threshold_plots",
                name="threshold_plots_node",
            ),
        ],
        tags=["thresholding"],
    )
