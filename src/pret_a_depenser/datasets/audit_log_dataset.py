"""The service's decision audit log (SQLite), read as a table for the monitoring pipeline (read-only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from kedro.io import AbstractDataset, DatasetError

from pret_a_depenser.scoring.audit import read_decisions
from pret_a_depenser.scoring.audit_postgres import is_database_url, redacted


class AuditLogDataset(AbstractDataset[None, pd.DataFrame]):
    """One row per logged decision; an absent log loads as an empty table (the node decides if that is an error)."""

    def __init__(self, filepath: str, metadata: dict[str, Any] | None = None) -> None:
        self._filepath: Path | str = (
            filepath if is_database_url(filepath) else Path(filepath)
        )  # a SQLite file or a PostgreSQL URL
        self.metadata = metadata

    def load(self) -> pd.DataFrame:
        if not self._exists():
            return pd.DataFrame()
        return pd.DataFrame(read_decisions(self._filepath))

    def save(self, data: None) -> None:
        raise DatasetError(f"{self._describe()['filepath']} is written by the service only")

    def _exists(self) -> bool:
        return isinstance(self._filepath, str) or self._filepath.exists()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": redacted(self._filepath) if isinstance(self._filepath, str) else str(self._filepath)}
