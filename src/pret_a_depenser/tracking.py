"""The shape kedro-mlflow's ``MlflowMetricsHistoryDataset`` logs: one metric per key, at step 0."""

from __future__ import annotations

from collections.abc import Mapping

MlflowMetrics = dict[str, dict[str, float]]


def mlflow_metrics(values: Mapping[str, float], prefix: str = "") -> MlflowMetrics:
    """``{prefix + name: {"value": float(value), "step": 0}}`` for every value (numpy scalars included)."""
    return {f"{prefix}{name}": {"value": float(value), "step": 0} for name, value in values.items()}
