"""Fairness audit of the final model on the holdout: outcomes by gender and by age band.

Sensitive attributes may stay out of the model's features; the audit still measures what the
decisions do to each group, and how far each group is from the best-treated one.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from pret_a_depenser.constants import DAYS_PER_YEAR
from pret_a_depenser.tracking import MlflowMetrics, mlflow_metrics

# Direction of "better treated" for each rate: the best group has the highest or the lowest value.
BEST_IS_HIGHEST = {"approval_rate": True, "default_rate_among_approved": False, "false_refusal_rate": False, "roc_auc": True}


def _age_band(days_birth: pd.Series, edges: list[int]) -> pd.Series:
    years = -days_birth.astype(float) / DAYS_PER_YEAR
    labels = [f"{low}-{high - 1}" for low, high in itertools.pairwise(edges)]
    return pd.cut(years, bins=edges, labels=labels, right=False).astype(str).replace("nan", "unknown")


def _group_rates(frame: pd.DataFrame, min_group_size: int) -> dict[str, float]:
    approved = ~frame["refused"]
    good = frame["TARGET"] == 0
    rates = {
        "n": float(len(frame)),
        "default_rate": float(frame["TARGET"].mean()),
        "approval_rate": float(approved.mean()),
        "default_rate_among_approved": float(frame.loc[approved, "TARGET"].mean()) if approved.any() else np.nan,
        "false_refusal_rate": float(frame.loc[good, "refused"].mean()) if good.any() else np.nan,
        "roc_auc": np.nan,
    }
    if len(frame) >= min_group_size and frame["TARGET"].nunique() == 2:
        rates["roc_auc"] = float(roc_auc_score(frame["TARGET"], frame["PD"]))
    return rates


def fairness_audit(
    holdout_predictions: pd.DataFrame, holdout_set: pd.DataFrame, decision_threshold: dict[str, Any], parameters: dict[str, Any]
) -> pd.DataFrame:
    """One row per (attribute, group): rates, and each rate's ratio to the best-treated group."""
    attributes = holdout_set.set_index("SK_ID_CURR").loc[holdout_predictions["SK_ID_CURR"], ["CODE_GENDER", "DAYS_BIRTH"]]
    frame = holdout_predictions.assign(
        refused=holdout_predictions["PD"].to_numpy() >= float(decision_threshold["threshold"]),
        CODE_GENDER=attributes["CODE_GENDER"].astype("string").fillna("unknown").to_numpy(),
        AGE_BAND=_age_band(attributes["DAYS_BIRTH"], list(parameters["age_band_edges"])).to_numpy(),
    )
    rows = []
    for attribute in ("CODE_GENDER", "AGE_BAND"):
        groups = pd.DataFrame(
            {
                group: _group_rates(rows_of_group, parameters["min_group_size"])
                for group, rows_of_group in frame.groupby(attribute)
            }
        ).T
        for rate, highest in BEST_IS_HIGHEST.items():
            eligible = groups.loc[groups["n"] >= parameters["min_group_size"], rate].dropna()
            best = (eligible.max() if highest else eligible.min()) if not eligible.empty else np.nan
            groups[f"{rate}_ratio_to_best"] = groups[rate] / best if best else np.nan
        rows.append(groups.rename_axis("group").reset_index().assign(attribute=attribute))
    table = pd.concat(rows, ignore_index=True)
    return table[["attribute", "group", *[column for column in table.columns if column not in ("attribute", "group")]]]


def fairness_mlflow_metrics(fairness_table: pd.DataFrame) -> MlflowMetrics:
    """``fairness.<attribute>.<group>.<rate>`` for every finite rate and ratio."""
    metrics = {}
    for record in fairness_table.to_dict(orient="records"):
        rates = {
            key: value
            for key, value in record.items()
            if key not in ("attribute", "group") and value is not None and np.isfinite(value)
        }
        metrics.update(mlflow_metrics(rates, f"fairness.{record['attribute']}.{record['group']}."))
    return metrics
