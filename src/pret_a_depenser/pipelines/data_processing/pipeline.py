"""Wiring of the data_processing pipeline: validate, fit the feature spec, transform every table."""

from kedro.pipeline import Node, Pipeline

from pret_a_depenser.features import (
    bureau_features,
    credit_card_features,
    fit_feature_spec,
    installments_features,
    pos_cash_features,
    previous_application_features,
)
from pret_a_depenser.raw_contract import KAGGLE_TABLES

from .nodes import all_application_features, example_applicants, model_input_tables, raw_data_lineage, validate_raw_tables
from .nodes.unseen_levels import unseen_category_levels_report

RAW_TABLES = list(KAGGLE_TABLES)


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
                func=raw_data_lineage,
                inputs={table: f"validated_{table}" for table in RAW_TABLES},
                outputs="raw_data_lineage",
                name="raw_data_lineage_node",
            ),
            Node(
                func=fit_feature_spec,
                inputs=dict(
                    application_train="validated_application_train",
                    bureau="validated_bureau",
                    bureau_balance="validated_bureau_balance",
                    previous_application="validated_previous_application",
                    pos_cash_balance="validated_POS_CASH_balance",
                    credit_card_balance="validated_credit_card_balance",
                    parameters="params:data_processing.features",
                ),
                outputs="feature_spec",
                name="fit_feature_spec_node",
            ),
            Node(
                func=example_applicants,
                inputs=dict(
                    application_test="validated_application_test",
                    bureau="validated_bureau",
                    bureau_balance="validated_bureau_balance",
                    previous_application="validated_previous_application",
                    pos_cash_balance="validated_POS_CASH_balance",
                    installments_payments="validated_installments_payments",
                    credit_card_balance="validated_credit_card_balance",
                    parameters="params:data_processing.examples",
                ),
                outputs="example_applicants",
                name="example_applicants_node",
            ),
            Node(
                func=unseen_category_levels_report,
                inputs=dict(
                    bureau="validated_bureau",
                    bureau_balance="validated_bureau_balance",
                    previous_application="validated_previous_application",
                    pos_cash_balance="validated_POS_CASH_balance",
                    credit_card_balance="validated_credit_card_balance",
                    feature_spec="feature_spec",
                ),
                outputs="unseen_category_levels",
                name="unseen_category_levels_node",
            ),
            Node(
                func=all_application_features,
                inputs=dict(
                    application_train="validated_application_train",
                    application_test="validated_application_test",
                    feature_spec="feature_spec",
                ),
                outputs=["application_features", "feature_applicants"],
                name="application_features_node",
            ),
            Node(
                func=bureau_features,
                inputs=dict(
                    bureau="validated_bureau",
                    bureau_balance="validated_bureau_balance",
                    spec="feature_spec",
                    applicants="feature_applicants",
                ),
                outputs="bureau_features",
                name="bureau_features_node",
            ),
            Node(
                func=previous_application_features,
                inputs=dict(
                    previous_application="validated_previous_application", spec="feature_spec", applicants="feature_applicants"
                ),
                outputs="previous_application_features",
                name="previous_application_features_node",
            ),
            Node(
                func=pos_cash_features,
                inputs=dict(pos_cash_balance="validated_POS_CASH_balance", spec="feature_spec", applicants="feature_applicants"),
                outputs="pos_cash_features",
                name="pos_cash_features_node",
            ),
            Node(
                func=installments_features,
                inputs=dict(
                    installments_payments="validated_installments_payments", spec="feature_spec", applicants="feature_applicants"
                ),
                outputs="installments_features",
                name="installments_features_node",
            ),
            Node(
                func=credit_card_features,
                inputs=dict(
                    credit_card_balance="validated_credit_card_balance", spec="feature_spec", applicants="feature_applicants"
                ),
                outputs="credit_card_features",
                name="credit_card_features_node",
            ),
            Node(
                func=model_input_tables,
                inputs=dict(
                    application_features="application_features",
                    bureau_features="bureau_features",
                    previous_application_features="previous_application_features",
                    pos_cash_features="pos_cash_features",
                    installments_features="installments_features",
                    credit_card_features="credit_card_features",
                    feature_spec="feature_spec",
                ),
                outputs=["model_input_train", "model_input_test"],
                name="model_input_tables_node",
            ),
        ],
        tags=["data_processing"],
    )
