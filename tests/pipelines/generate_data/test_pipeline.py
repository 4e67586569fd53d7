"""The generate_data pipeline writes the eight Kaggle files and the truth file through the catalog."""

from __future__ import annotations

from kedro.io import DataCatalog
from kedro.runner import SequentialRunner

from pret_a_depenser.datasets import FastCSVDataset
from pret_a_depenser.pipelines.generate_data import create_pipeline
from pret_a_depenser.pipelines.generate_data.pipeline import RAW_OUTPUTS


def test_generate_data_writes_every_raw_file(tmp_path):
    catalog = DataCatalog(
        {name: FastCSVDataset(filepath=str(tmp_path / f"{name.removeprefix('raw_')}.csv")) for name in RAW_OUTPUTS}
    )
    catalog["params:generate_data"] = {"n_applicants": 300, "chunk_size": 200, "progress": False}
    catalog["params:seed"] = 1
    SequentialRunner().run(create_pipeline(), catalog)
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == sorted(f"{name.removeprefix('raw_')}.csv" for name in RAW_OUTPUTS)
    train, test = catalog.load("raw_application_train"), catalog.load("raw_application_test")
    assert len(train) + len(test) == 300 and "TARGET" in train and "TARGET" not in test
