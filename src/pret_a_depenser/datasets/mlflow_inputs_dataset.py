"""A run's input tables, by content digest: a JSON file, and one MLflow input per table in the active run
(the MLflow UI's Datasets column), so a model version traces back to the exact data it was trained on."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import mlflow
from kedro.io import AbstractDataset, DatasetError

from .atomic_file import write_atomically


class MlflowInputsDataset(AbstractDataset[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]):
    """Saves ``{table: {"rows", "columns", "digest"}}``; ``sources`` maps a table to the file it was read
    from (its MLflow source), ``context`` is the MLflow input context (e.g. ``raw``, ``training``)."""

    def __init__(
        self, filepath: str, context: str, sources: dict[str, str] | None = None, metadata: dict[str, Any] | None = None
    ) -> None:
        self._filepath = Path(filepath)
        self._context = context
        self._sources = dict(sources or {})
        self.metadata = metadata

    def save(self, data: dict[str, dict[str, Any]]) -> None:
        write_atomically(self._filepath, lambda path: Path(path).write_text(json.dumps(data, indent=1, sort_keys=True)))
        if mlflow.active_run() is None:
            return
        from mlflow.data.dataset_source_registry import resolve_dataset_source
        from mlflow.data.meta_dataset import MetaDataset

        for table, figures in data.items():
            with warnings.catch_warnings():  # MLflow registers the local-file source twice and says so
                warnings.simplefilter("ignore", UserWarning)
                source = resolve_dataset_source(str(Path(self._sources.get(table, self._filepath)).resolve()))
            tags = {"rows": str(figures["rows"]), "columns": str(figures["columns"])}
            mlflow.log_input(MetaDataset(source=source, name=table, digest=figures["digest"]), context=self._context, tags=tags)

    def load(self) -> dict[str, dict[str, Any]]:
        if not self._filepath.exists():
            raise DatasetError(f"{self._filepath}: file not found; run the pipeline that writes it first")
        return json.loads(self._filepath.read_text())

    def _exists(self) -> bool:
        return self._filepath.is_file()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._filepath), "context": self._context}
