"""Hooks that make ``kedro run`` work on a fresh clone without ever touching a user's real data.

- A run that needs the raw tables while ``data/01_raw/`` holds none of them generates the default
  sample first (``generate_data`` parameters).
- ``generate_data`` refuses to overwrite raw files it did not write itself: after each generation it
  records the size of every file it wrote in ``generator_manifest.json``; a raw file missing from that
  manifest, or with another size, is a user's file (e.g. the real Kaggle CSVs).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kedro.framework.hooks import hook_impl
from kedro.pipeline import Node, Pipeline
from kedro.runner import SequentialRunner

from pret_a_depenser.generator import TABLES
from pret_a_depenser.pipelines.generate_data import create_pipeline as create_generate_data_pipeline
from pret_a_depenser.pipelines.generate_data.pipeline import RAW_OUTPUTS

logger = logging.getLogger(__name__)

RAW_TABLE_DATASETS = [f"raw_{name}" for name in TABLES]
MANIFEST_DATASET = "raw_generation_manifest"


class RawDataError(RuntimeError):
    """The raw-data folder is in a state no pipeline should run on (partial, or not ours to overwrite)."""


def _file_of(catalog, dataset_name: str) -> Path:
    return Path(catalog.get(dataset_name).filepath)


class RawDataHooks:
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
            logger.info("No raw tables in %s: generating the default Home-Credit-shaped sample first.", _file_of(catalog, RAW_TABLE_DATASETS[0]).parent)
            SequentialRunner().run(create_generate_data_pipeline(), catalog)
            self._write_manifest(catalog)
            return
        missing = [str(_file_of(catalog, name)) for name in sorted(needed) if not catalog.exists(name)]
        if missing:
            raise RawDataError(
                "Raw data is incomplete; missing: " + ", ".join(missing)
                + ". Copy all eight Kaggle files there, or empty the folder to use generated data."
            )

    @hook_impl
    def after_node_run(self, node: Node, catalog, outputs: dict[str, Any]) -> None:
        if set(RAW_OUTPUTS) <= set(node.outputs):
            self._write_manifest(catalog)

    @staticmethod
    def _write_manifest(catalog) -> None:
        sizes = {_file_of(catalog, name).name: _file_of(catalog, name).stat().st_size for name in RAW_OUTPUTS}
        catalog.save(MANIFEST_DATASET, {"generated_files": sizes})

    @staticmethod
    def _refuse_to_overwrite_foreign_files(catalog, present: list[str]) -> None:
        recorded = catalog.load(MANIFEST_DATASET)["generated_files"] if catalog.exists(MANIFEST_DATASET) else {}
        foreign = [
            str(path) for path in (_file_of(catalog, name) for name in present)
            if recorded.get(path.name) != path.stat().st_size
        ]
        if foreign:
            raise RawDataError(
                "generate_data will not overwrite raw files it did not write: " + ", ".join(foreign)
                + ". Move them elsewhere (or run with another --env whose raw_dir is empty) to regenerate."
            )
