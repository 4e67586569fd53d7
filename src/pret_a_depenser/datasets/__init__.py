"""Project-specific Kedro datasets."""

from .fast_csv_dataset import FastCSVDataset
from .mlflow_nested_runs_dataset import MlflowNestedRunsDataset

__all__ = ["FastCSVDataset", "MlflowNestedRunsDataset"]
