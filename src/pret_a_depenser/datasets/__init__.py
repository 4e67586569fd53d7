"""Project-specific Kedro datasets."""

from .audit_log_dataset import AuditLogDataset
from .bento_model_dataset import BentoModelDataset
from .credit_scoring_model_dataset import CreditScoringModelDataset
from .fast_csv_dataset import FastCSVDataset
from .mlflow_inputs_dataset import MlflowInputsDataset
from .mlflow_nested_runs_dataset import MlflowNestedRunsDataset
from .mlflow_pyfunc_model_dataset import MlflowPyfuncModelDataset
from .mlflow_tags_dataset import MlflowTagsDataset
from .parquet_frame_dataset import ParquetFrameDataset
from .raw_table_dataset import RawTableDataset
from .registered_scoring_model_dataset import RegisteredScoringModelDataset

__all__ = [
    "AuditLogDataset",
    "BentoModelDataset",
    "CreditScoringModelDataset",
    "FastCSVDataset",
    "MlflowInputsDataset",
    "MlflowNestedRunsDataset",
    "MlflowPyfuncModelDataset",
    "MlflowTagsDataset",
    "ParquetFrameDataset",
    "RawTableDataset",
    "RegisteredScoringModelDataset",
]
