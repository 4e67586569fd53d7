"""Project-specific Kedro datasets."""

from .fast_csv_dataset import FastCSVDataset

__all__ = ["FastCSVDataset"]
