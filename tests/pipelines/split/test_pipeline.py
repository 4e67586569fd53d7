"""The split pipeline on the small generated sample's model input, through a DataCatalog."""

from kedro.io import DataCatalog
from kedro.runner import SequentialRunner

from pret_a_depenser.pipelines.split import create_pipeline


def test_split_pipeline_writes_disjoint_training_and_holdout_sets(small_tables):
    small_model_input = small_tables["application_train"][
        ["SK_ID_CURR", "TARGET", "AMT_CREDIT", "NAME_CONTRACT_TYPE", "EXT_SOURCE_2"]
    ]
    catalog = DataCatalog()
    catalog["model_input_train"] = small_model_input
    catalog["params:split"] = {"holdout_share": 0.2, "n_folds": 3}
    catalog["params:seed"] = 42
    SequentialRunner().run(create_pipeline(), catalog)
    training_set, holdout_set = catalog.load("training_set"), catalog.load("holdout_set")
    assert len(training_set) + len(holdout_set) == len(small_model_input)
    assert not set(training_set["SK_ID_CURR"]) & set(holdout_set["SK_ID_CURR"])
    assert set(holdout_set.columns) == set(small_model_input.columns)
    assert set(training_set.columns) == set(small_model_input.columns) | {"FOLD"}
    assert training_set["TARGET"].mean() > 0 and holdout_set["TARGET"].mean() > 0
