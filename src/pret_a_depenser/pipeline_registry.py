"""Project pipelines."""

from __future__ import annotations

from kedro.framework.project import find_pipelines
from kedro.pipeline import Pipeline


def register_pipelines() -> dict[str, Pipeline]:
    """Every modular pipeline by folder name; ``__default__`` runs the whole job on the raw tables.

    ``generate_data`` is not part of the default run: it writes the default sample (``make run`` runs it
    first when ``data/01_raw/`` is empty), so real Kaggle files there are never replaced. ``monitoring``
    is run on demand, once the service has logged decisions (or on a scoring batch), and
    ``outcome_monitoring`` once outcomes of those decisions are known; ``batch_scoring_champion`` scores
    with the registry's champion instead of the latest model.
    """
    pipelines = find_pipelines(raise_errors=True)
    on_demand = ("generate_data", "monitoring", "outcome_monitoring", "batch_scoring_champion")
    pipelines["__default__"] = sum((pipeline for name, pipeline in pipelines.items() if name not in on_demand), Pipeline([]))
    return pipelines
