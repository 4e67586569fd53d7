"""Nodes of the generate_data pipeline."""

from __future__ import annotations

from typing import Any

import pandas as pd

from pret_a_depenser.generator import TABLES, generate_home_credit


def generate_home_credit_tables(parameters: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The eight Kaggle tables and ``generator_truth`` for ``n_applicants`` applicants (train + test)."""
    tables = generate_home_credit(
        n_applicants=int(parameters["n_applicants"]),
        seed=int(parameters["seed"]),
        chunk_size=int(parameters["chunk_size"]),
        progress=bool(parameters.get("progress", True)),
    )
    return {f"raw_{name}": tables[name] for name in (*TABLES, "generator_truth")}
