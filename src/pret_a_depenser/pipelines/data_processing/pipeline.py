"""Wiring of the data_processing pipeline."""

from kedro.pipeline import Node, Pipeline

from .nodes import (
    application_features,
    bureau_features,
    credit_card_features,
    installments_features,
    model_input_tables,
    pos_cash_features,
    previous_application_features,
    validate_raw_tables,
)

RAW_TABLES = [
    "application_train", "application_test", "bureau", "bureau_balance", "previous_application",
    "POS_CASH_balance", "installments_payments", "credit_card_balance",
]


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline(
        [
            Node(
                func=validate_raw_tables,
                inputs=[f"raw_{table}" for table in RAW_TABLES] + ["params:data_processing.validation"],
                outputs=[f"validated_{table}" for table in RAW_TABLES],
                name="validate_raw_tables_node",
            ),
            Node(
                func=application_features,
                inputs=dict(
                    application_train="validated_application_train",
                    application_test="validated_application_test",
                    parameters="params:data_processing.application",
                ),
                outputs="application_features",
                name="application_features_node",
            ),
            Node(
                func=bureau_features,
                inputs=dict(bureau="validated_bureau", bureau_balance="validated_bureau_balance", parameters="params:data_processing.bureau"),
                outputs="bureau_features",
                name="bureau_features_node",
            ),
            Node(
                func=previous_application_features,
                inputs=dict(previous_application="validated_previous_application", parameters="params:data_processing.previous_application"),
                outputs="previous_application_features",
                name="previous_application_features_node",
            ),
            Node(
                func=pos_cash_features,
                inputs=dict(pos_cash_balance="validated_POS_CASH_balance", parameters="params:data_processing.pos_cash"),
                outputs="pos_cash_features",
                name="pos_cash_features_node",
            ),
            Node(
                func=installments_features,
                inputs=dict(installments_payments="validated_installments_payments", parameters="params:data_processing.installments"),
                outputs="installments_features",
                name="installments_features_node",
            ),
            Node(
                func=credit_card_features,
                inputs=dict(credit_card_balance="validated_credit_card_balance", parameters="params:data_processing.credit_card"),
                outputs="credit_card_features",
                name="credit_card_features_node",
            ),
            Node(
                func=model_input_tables,
                inputs=[
                    "application_features", "bureau_features", "previous_application_features",
                    "pos_cash_features", "installments_features", "credit_card_features",
                ],
                outputs=["model_input_train", "model_input_test"],
                name="model_input_tables_node",
            ),
        ],
        tags=["data_processing"],
    )
