"""Project-specific Kedro datasets."""

from .fast_csv_dataset import FastCSVDataset
from .mlflow_model_with_example_dataset import MlflowModelWithExampleDataset
from .mlflow_nested_runs_dataset import MlflowNestedRunsDataset

__all__ = ["FastCSVDataset", "MlflowModelWithExampleDataset", "MlflowNestedRunsDataset"]
