"""The pipeline's outputs as the app reads them: through the Kedro catalog of a project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl

from pret_a_depenser.scoring.records import HISTORY_TABLES, applicant_records

REFERENCE_COLUMNS = ["SK_ID_CURR", "TARGET", "DAYS_BIRTH", "AMT_INCOME_TOTAL"]


class ProjectData:
    """One Kedro session's catalog, opened once for the app's lifetime."""

    def __init__(self, project_path: Path, env: str | None = None) -> None:
        from kedro.framework.session import KedroSession
        from kedro.framework.startup import bootstrap_project

        bootstrap_project(project_path)
        self._session = KedroSession.create(project_path=project_path, env=env)
        self.catalog = self._session.load_context().catalog

    def load(self, name: str) -> Any | None:
        """The dataset, or None when the pipeline that writes it has not run yet."""
        return self.catalog.load(name) if self.catalog.exists(name) else None

    def test_tables(self) -> dict[str, pl.DataFrame]:
        """The test applicants' applications and every history table, as in ``data/01_raw``."""
        tables = {"application": self.catalog.load("raw_application_test")}
        for table in HISTORY_TABLES:
            tables[table] = self.catalog.load(f"raw_{table}")
        return tables

    def training_reference(self, features: list[str]) -> pd.DataFrame:
        """Training applicants' outcome (TARGET), age and income, and the given model features."""
        columns = list(dict.fromkeys([*REFERENCE_COLUMNS, *features]))
        return self.catalog.get("model_input_train").load_columns(columns)


def records_of(tables: dict[str, pl.DataFrame], applicant_id: int) -> dict[str, Any] | None:
    """The request body of one test applicant from the raw tables, or None if it is not a test applicant."""
    try:
        return applicant_records(tables, [applicant_id])[0]
    except KeyError:
        return None
