"""Hooks that guard the raw-data folder, so no run touches or mixes up a user's real data.

- A run that needs the raw tables stops before any node when ``data/01_raw/`` holds none or only some
  of them, naming what is missing (the default sample is the ``generate_data`` pipeline's output, run
  first by ``make run``).
- ``generate_data`` refuses to overwrite raw files it did not write itself: each time it saves a file it
  records the file's size in ``generator_manifest.json``; a raw file missing from that manifest, or with
  another size, is a user's file (e.g. the real Kaggle CSVs).
"""

from __future__ import annotations

import json
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


def _reset_peak_memory() -> None:
    """Linux resets the process's peak resident memory (VmHWM) when 5 is written to clear_refs."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_memory_gb() -> float | None:
    """The process's peak resident memory since the last reset (Linux), in GB."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e9
    return None


class NodeTimingHooks:
    """Logs each node's wall time and peak resident memory, and each dataset's load and save time, so a
    slow or memory-hungry run shows where it spent them (the benchmarks read these lines)."""

    def __init__(self) -> None:
        self._started: dict[str, float] = {}

    def _start(self, key: str) -> None:
        self._started[key] = time.perf_counter()

    def _elapsed(self, key: str) -> float | None:
        started = self._started.pop(key, None)
        return None if started is None else time.perf_counter() - started

    @hook_impl
    def before_node_run(self, node: Node) -> None:
        _reset_peak_memory()
        self._start(f"node:{node.name}")

    @hook_impl
    def after_node_run(self, node: Node) -> None:
        seconds = self._elapsed(f"node:{node.name}")
        if seconds is not None:
            peak = _peak_memory_gb()
            logger.info("Node %s ran in %.2f s%s", node.name, seconds, f", peak RSS {peak:.2f} GB" if peak else "")

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


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


class ProgressHooks:
    """Says where a run is and what is left: before each node, one log line and the MLflow run's
    ``progress`` tag and ``progress_*`` metrics (pipeline, node k of n, elapsed, an estimate of the
    time left). The estimate comes from the nodes' durations in the last run of the same environment,
    kept in ``<data_dir>/08_reporting/node_durations.json``; the tuning node logs its trials and folds."""

    def __init__(self) -> None:
        self._history_path: Path | None = None
        self._history: dict[str, float] = {}
        self._durations: dict[str, float] = {}
        self._pipeline_of: dict[str, str] = {}
        self._order: list[str] = []
        self._run_started = 0.0
        self._node_started = 0.0

    @hook_impl
    def after_context_created(self, context) -> None:
        data_dir = context.config_loader["globals"].get("data_dir", "data")
        self._history_path = Path(context.project_path) / data_dir / "08_reporting" / "node_durations.json"

    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any], pipeline: Pipeline) -> None:
        from kedro.framework.project import pipelines

        self._order = [node.name for node in pipeline.nodes]
        self._pipeline_of = {}
        for name, registered in pipelines.items():
            if name != "__default__":
                for node in registered.nodes:
                    self._pipeline_of.setdefault(node.name, name)
        self._history = {}
        if self._history_path is not None and self._history_path.exists():
            try:
                self._history = json.loads(self._history_path.read_text())
            except (OSError, ValueError):
                self._history = {}
        self._durations = {}
        self._run_started = time.perf_counter()

    def _left(self, done: int) -> float | None:
        remaining = self._order[done:]
        if not remaining or any(name not in self._history for name in remaining):
            return None
        return sum(self._history[name] for name in remaining)

    @hook_impl
    def before_node_run(self, node: Node) -> None:
        done = len(self._durations)
        elapsed = time.perf_counter() - self._run_started
        left = self._left(done)
        estimate = f"about {_duration(left)} left" if left is not None else "no earlier run of these nodes to estimate from"
        where = f"{self._pipeline_of.get(node.name, '?')} · node {done + 1}/{len(self._order)} {node.name}"
        logger.info("Progress: %s; %s elapsed, %s", where, _duration(elapsed), estimate)
        self._node_started = time.perf_counter()
        self._to_mlflow(where, done, elapsed, left)

    @hook_impl
    def after_node_run(self, node: Node) -> None:
        self._durations[node.name] = time.perf_counter() - self._node_started

    @hook_impl
    def after_pipeline_run(self) -> None:
        if self._history_path is None or not self._durations:
            return
        try:
            self._history_path.parent.mkdir(parents=True, exist_ok=True)
            self._history_path.write_text(json.dumps({**self._history, **self._durations}, indent=1, sort_keys=True))
        except OSError as error:
            logger.warning("node durations not kept for the next run's estimate: %s", error)

    def _to_mlflow(self, where: str, done: int, elapsed: float, left: float | None) -> None:
        import mlflow

        if mlflow.active_run() is None:
            return
        mlflow.set_tag("progress", where)
        metrics = {"progress_nodes_done": done, "progress_seconds_elapsed": elapsed}
        if left is not None:
            metrics["progress_seconds_left"] = left
        mlflow.log_metrics(metrics, step=done)
