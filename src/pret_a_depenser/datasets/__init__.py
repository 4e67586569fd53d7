"""Project-specific Kedro datasets."""

from .audit_log_dataset import AuditLogDataset
from .bento_model_dataset import BentoModelDataset
from .fast_csv_dataset import FastCSVDataset
from .mlflow_model_with_example_dataset import MlflowModelWithExampleDataset
from .mlflow_nested_runs_dataset import MlflowNestedRunsDataset
from .parquet_frame_dataset import ParquetFrameDataset
from .raw_table_dataset import RawTableDataset

__all__ = [
    "AuditLogDataset", "BentoModelDataset", "FastCSVDataset", "MlflowModelWithExampleDataset", "MlflowNestedRunsDataset",
    "ParquetFrameDataset", "RawTableDataset",
]
