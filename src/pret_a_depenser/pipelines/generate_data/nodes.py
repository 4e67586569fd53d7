"""Nodes of the generate_data pipeline."""

from __future__ import annotations

from typing import Any

import pandas as pd

from pret_a_depenser.generator import TABLES, generate_home_credit


def generate_home_credit_tables(parameters: dict[str, Any], seed: int) -> dict[str, pd.DataFrame]:
    """The eight Kaggle tables and ``generator_truth`` for ``n_applicants`` applicants (train + test)."""
    tables = generate_home_credit(
        n_applicants=parameters["n_applicants"], seed=seed, chunk_size=parameters["chunk_size"], progress=parameters["progress"]
    )
    return {f"raw_{name}": tables[name] for name in (*TABLES, "generator_truth")}
