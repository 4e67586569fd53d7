"""The promotion gate: a new model version becomes the champion only if it is at least as good as the
current champion on the same holdout (business cost, ROC AUC) and fair enough (approval-rate ratios of
the audited groups above a floor, e.g. the four-fifths rule)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from pret_a_depenser.business_cost import business_cost
from pret_a_depenser.scoring import CreditScoringModel


def champion_evaluation(
    champion_model: CreditScoringModel | None, holdout_set: pd.DataFrame, business: dict[str, Any]
) -> dict[str, Any]:
    """The current champion's ROC AUC and business cost on this run's holdout (empty without a champion)."""
    if champion_model is None:
        return {}
    y = holdout_set["TARGET"].to_numpy().astype(int)
    decisions = champion_model.decide(champion_model.inputs_from_frame(holdout_set))
    return {
        "model_tag": champion_model.tag,
        "roc_auc": float(roc_auc_score(y, decisions.probabilities)),
        "business_cost": business_cost(y, decisions.refused, business["fn_cost"], business["fp_cost"]),
    }


def promotion_decision(
    champion_model: CreditScoringModel | None,
    final_metrics: dict[str, Any],
    fairness_table: pd.DataFrame,
    holdout_set: pd.DataFrame,
    business: dict[str, Any],
    parameters: dict[str, Any],
) -> dict[str, Any]:
    """``promote`` (becomes the champion) or not, with every reason it was held back; the champion is
    scored on this run's holdout, so both are judged on the same applicants."""
    champion = champion_evaluation(champion_model, holdout_set, business)
    reasons = []
    floor = parameters["min_approval_rate_ratio"]
    audited = fairness_table[fairness_table["attribute"].isin(parameters["fairness_attributes"])]
    unfair = audited[audited["approval_rate_ratio_to_best"] < floor]
    for row in unfair.itertuples():
        reasons.append(
            f"approval rate ratio {row.approval_rate_ratio_to_best:.3f} for {row.attribute}={row.group} is under the floor {floor}"
        )
    comparison: dict[str, Any] = {"roc_auc": final_metrics["roc_auc"], "business_cost": final_metrics["business_cost"]}
    if champion:
        tolerance = parameters["max_cost_increase"]
        if final_metrics["business_cost"] > champion["business_cost"] * (1 + tolerance):
            reasons.append(
                f"holdout business cost {final_metrics['business_cost']:,.0f} exceeds the champion's {champion['business_cost']:,.0f} by more than {tolerance:.0%}"
            )
        if final_metrics["roc_auc"] < champion["roc_auc"] - parameters["max_auc_decrease"]:
            reasons.append(
                f"holdout ROC AUC {final_metrics['roc_auc']:.4f} is below the champion's {champion['roc_auc']:.4f} by more than {parameters['max_auc_decrease']}"
            )
        comparison["champion"] = champion
    return {
        "promote": not reasons,
        "reasons": reasons,
        **comparison,
        "min_fairness_ratio": float(np.nanmin(audited["approval_rate_ratio_to_best"])) if len(audited) else None,
    }
