"""Hooks that guard the raw-data folder, so no run touches or mixes up a user's real data.

- A run that needs the raw tables stops before any node when ``data/01_raw/`` holds none or only some
  of them, naming what is missing (the default sample is the ``generate_data`` pipeline's output, run
  first by ``make run``).
- ``generate_data`` refuses to overwrite raw files it did not write itself: each time it saves a file it
  records the file's size in ``generator_manifest.json``; a raw file missing from that manifest, or with
  another size, is a user's file (e.g. the real Kaggle CSVs).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from kedro.framework.hooks import hook_impl
from kedro.pipeline import Node, Pipeline

from pret_a_depenser.generator import TABLES
from pret_a_depenser.parameters import validate_parameters
from pret_a_depenser.pipelines.generate_data.pipeline import RAW_OUTPUTS

logger = logging.getLogger(__name__)

RAW_TABLE_DATASETS = [f"raw_{name}" for name in TABLES]
MANIFEST_DATASET = "raw_generation_manifest"


class RawDataError(RuntimeError):
    """The raw-data folder is in a state no pipeline should run on (partial, or not ours to overwrite)."""


def _file_of(catalog, dataset_name: str) -> Path:
    return Path(catalog.get(dataset_name).filepath)


class RawDataHooks:
    def __init__(self) -> None:
        self._catalog = None

    @hook_impl
    def after_catalog_created(self, catalog) -> None:
        self._catalog = catalog

    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any], pipeline: Pipeline, catalog) -> None:
        present = [name for name in RAW_TABLE_DATASETS if catalog.exists(name)]
        if set(RAW_OUTPUTS) & pipeline.all_outputs():
            self._refuse_to_overwrite_foreign_files(catalog, present)
            return
        needed = set(RAW_TABLE_DATASETS) & pipeline.inputs()
        if not needed:
            return
        if not present:
            raise RawDataError(
                f"{_file_of(catalog, RAW_TABLE_DATASETS[0]).parent} holds none of the eight Kaggle files. Copy them there, or write the "
                "default generated sample first with `kedro run --pipelines generate_data` (`make run` does both steps)."
            )
        missing = [str(_file_of(catalog, name)) for name in sorted(needed) if not catalog.exists(name)]
        if missing:
            raise RawDataError(
                "Raw data is incomplete; missing: "
                + ", ".join(missing)
                + ". Copy all eight Kaggle files there, or empty the folder to use generated data."
            )
        self._refuse_stale_truth(catalog, present)

    @hook_impl
    def after_dataset_saved(self, dataset_name: str, data: Any, node: Node) -> None:
        if dataset_name in RAW_OUTPUTS and self._catalog is not None:
            self._record_generated(self._catalog, dataset_name)

    @staticmethod
    def _generated_sizes(catalog) -> dict[str, int]:
        return catalog.load(MANIFEST_DATASET)["generated_files"] if catalog.exists(MANIFEST_DATASET) else {}

    @classmethod
    def _record_generated(cls, catalog, dataset_name: str) -> None:
        path = _file_of(catalog, dataset_name)
        sizes = {**cls._generated_sizes(catalog), path.name: path.stat().st_size}
        catalog.save(MANIFEST_DATASET, {"generated_files": sizes})

    @classmethod
    def _foreign_files(cls, catalog, present: list[str]) -> list[str]:
        recorded = cls._generated_sizes(catalog)
        return [
            str(path) for path in (_file_of(catalog, name) for name in present) if recorded.get(path.name) != path.stat().st_size
        ]

    @classmethod
    def _refuse_stale_truth(cls, catalog, present: list[str]) -> None:
        """generator_truth.csv next to tables the generator did not write would give meaningless oracle metrics."""
        truth = _file_of(catalog, "raw_generator_truth")
        foreign = cls._foreign_files(catalog, present) if truth.exists() else []
        if foreign:
            raise RawDataError(
                f"{truth} comes from generated data, but these raw files were not written by the generator: "
                + ", ".join(foreign)
                + f". Remove {truth.name} and generator_manifest.json to use them."
            )

    @classmethod
    def _refuse_to_overwrite_foreign_files(cls, catalog, present: list[str]) -> None:
        foreign = cls._foreign_files(catalog, present)
        if foreign:
            raise RawDataError(
                "generate_data will not overwrite raw files it did not write: "
                + ", ".join(foreign)
                + ". Move them elsewhere (or run with another --env whose raw_dir is empty) to regenerate."
            )


class ParameterHooks:
    """Checks every parameter against ``pret_a_depenser.parameters`` once, before anything runs.

    Kedro 1.7 can validate parameters from typed node arguments, but it then hands nodes model
    instances, which kedro-mlflow logs as one opaque string instead of one MLflow param per key, and
    it checks only the blocks that typed nodes read; this checks the whole tree and keeps dicts.
    """

    @hook_impl
    def after_context_created(self, context) -> None:
        validate_parameters(context.params)


class NodeTimingHooks:
    """Logs each node's wall time and each dataset's load and save time, so a slow run shows where it
    spent its time (the benchmarks read these lines)."""

    def __init__(self) -> None:
        self._started: dict[str, float] = {}

    def _start(self, key: str) -> None:
        self._started[key] = time.perf_counter()

    def _elapsed(self, key: str) -> float | None:
        started = self._started.pop(key, None)
        return None if started is None else time.perf_counter() - started

    @hook_impl
    def before_node_run(self, node: Node) -> None:
        self._start(f"node:{node.name}")

    @hook_impl
    def after_node_run(self, node: Node) -> None:
        seconds = self._elapsed(f"node:{node.name}")
        if seconds is not None:
            logger.info("Node %s ran in %.2f s", node.name, seconds)

    @hook_impl
    def before_dataset_loaded(self, dataset_name: str) -> None:
        self._start(f"load:{dataset_name}")

    @hook_impl
    def after_dataset_loaded(self, dataset_name: str) -> None:
        seconds = self._elapsed(f"load:{dataset_name}")
        if seconds is not None and seconds >= 0.01:
            logger.info("Dataset %s loaded in %.2f s", dataset_name, seconds)

    @hook_impl
    def before_dataset_saved(self, dataset_name: str) -> None:
        self._start(f"save:{dataset_name}")

    @hook_impl
    def after_dataset_saved(self, dataset_name: str) -> None:
        seconds = self._elapsed(f"save:{dataset_name}")
        if seconds is not None and seconds >= 0.01:
            logger.info("Dataset %s saved in %.2f s", dataset_name, seconds)
