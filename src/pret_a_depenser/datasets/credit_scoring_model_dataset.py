"""The inference artefact as a folder (``model.cbm`` + ``serving.json``), replaced whole or not at all."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from kedro.io import AbstractDataset, DatasetError

from pret_a_depenser.scoring import CreditScoringModel


class CreditScoringModelDataset(AbstractDataset[CreditScoringModel, CreditScoringModel]):
    def __init__(self, path: str, metadata: dict[str, Any] | None = None) -> None:
        self._path = Path(path)
        self.metadata = metadata

    def save(self, data: CreditScoringModel) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=self._path.parent, prefix=f".{self._path.name}."))
        try:
            data.save(staging)
            previous = self._path.with_name(f".{self._path.name}.previous")
            if self._path.exists():
                shutil.rmtree(previous, ignore_errors=True)
                self._path.rename(previous)
            staging.rename(self._path)
            shutil.rmtree(previous, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def load(self) -> CreditScoringModel:
        if not self._path.is_dir():
            raise DatasetError(f"{self._path}: no credit-scoring model here; run `kedro run --pipelines final_model` first")
        return CreditScoringModel.load(self._path, tag=f"pipeline:{self._path.name}", source="pipeline")

    def _exists(self) -> bool:
        return self._path.is_dir()

    def _describe(self) -> dict[str, Any]:
        return {"path": str(self._path)}
