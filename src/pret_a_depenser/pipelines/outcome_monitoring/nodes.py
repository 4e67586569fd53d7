"""Nodes of the outcome_monitoring pipeline: decisions joined with their observed outcomes, per period.

An outcomes file (``SK_ID_CURR``, ``TARGET``, ``OBSERVED_ON``) says which applicants the service
decided on later defaulted. Per period of observation: realised ROC AUC, default rate among the
accepted, refusal rate and business cost per applicant, against the holdout's expectation, and the
largest feature PSI of the period's applicants against the training applicants. A period is flagged
when its cost per applicant exceeds the holdout's by more than the configured margin, or when a
feature drifts past the PSI action level.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from pret_a_depenser.pipelines.monitoring.nodes import SCORE, drift_statistics
from pret_a_depenser.scoring import CreditScoringModel

OUTCOME_COLUMNS = ("SK_ID_CURR", "TARGET", "OBSERVED_ON")


def decisions_with_outcomes(
    credit_scoring_model: CreditScoringModel,
    decision_audit_log: pd.DataFrame,
    decision_outcomes: pd.DataFrame,
    parameters: dict[str, Any],
) -> pd.DataFrame:
    """The served model's latest decision on each applicant whose outcome is known, with its period of
    observation and the model features it was decided on."""
    missing = [column for column in OUTCOME_COLUMNS if column not in decision_outcomes.columns]
    if missing:
        raise ValueError(f"decision_outcomes: columns {', '.join(missing)} are missing (expected {', '.join(OUTCOME_COLUMNS)})")
    if not set(decision_outcomes["TARGET"].dropna().unique()) <= {0, 1}:
        raise ValueError("decision_outcomes: TARGET must be 0 (repaid) or 1 (defaulted)")
    observed = pd.to_datetime(decision_outcomes["OBSERVED_ON"], errors="coerce")
    if observed.isna().any():
        raise ValueError(f"decision_outcomes: OBSERVED_ON is not a date in row(s) {observed.index[observed.isna()][:5].tolist()}")
    if decision_audit_log.empty or "applicant_id" not in decision_audit_log:
        raise ValueError(
            "decision_audit_log: no decision with an applicant id; score applicants' records through the service first"
        )
    served = decision_audit_log[
        (decision_audit_log["model_tag"] == credit_scoring_model.tag) & decision_audit_log["applicant_id"].notna()
    ]
    latest = served.sort_values("id").drop_duplicates("applicant_id", keep="last")
    outcomes = decision_outcomes.assign(
        period=observed.dt.to_period(parameters["period"]).astype(str), SK_ID_CURR=decision_outcomes["SK_ID_CURR"].astype("int64")
    )
    joined = latest.assign(SK_ID_CURR=latest["applicant_id"].astype("int64")).merge(
        outcomes[["SK_ID_CURR", "TARGET", "period"]], on="SK_ID_CURR", how="inner"
    )
    features = pd.DataFrame([json.loads(text) for text in joined["features"]], columns=credit_scoring_model.features)
    features[credit_scoring_model.numeric_features] = features[credit_scoring_model.numeric_features].astype(float)
    return pd.concat(
        [
            joined[["SK_ID_CURR", "period", "TARGET", "probability_of_default", "decision"]].reset_index(drop=True),
            features.drop(columns=[SCORE], errors="ignore"),
        ],
        axis=1,
    )


def outcome_report(
    decisions: pd.DataFrame,
    reference: pd.DataFrame,
    credit_scoring_model: CreditScoringModel,
    final_metrics: dict[str, Any],
    business: dict[str, Any],
    monitoring: dict[str, Any],
    parameters: dict[str, Any],
) -> pd.DataFrame:
    """One row per period: realised figures, the holdout's expectation, the largest feature PSI and the flags."""
    rows = []
    expected_cost = float(final_metrics["business_cost_per_applicant"])
    for period, group in decisions.groupby("period", sort=True):
        y = group["TARGET"].to_numpy().astype(int)
        refused = (group["decision"] == "REFUSED").to_numpy()
        cost = (
            business["fn_cost"] * int(((y == 1) & ~refused).sum()) + business["fp_cost"] * int(((y == 0) & refused).sum())
        ) / len(y)
        row: dict[str, Any] = {
            "period": period,
            "n_decisions": len(y),
            "defaults": int(y.sum()),
            "roc_auc": float(roc_auc_score(y, group["probability_of_default"])) if 0 < y.sum() < len(y) else np.nan,
            "expected_roc_auc": float(final_metrics["roc_auc"]),
            "default_rate_among_accepted": float(y[~refused].mean()) if (~refused).any() else np.nan,
            "refusal_rate": float(refused.mean()),
            "expected_refusal_rate": float(final_metrics["refusal_rate"]),
            "business_cost_per_applicant": cost,
            "expected_business_cost_per_applicant": expected_cost,
        }
        if len(group) >= int(monitoring["min_current_rows"]):
            current = group[credit_scoring_model.features].assign(**{SCORE: group["probability_of_default"].to_numpy()})
            drift = drift_statistics(reference, current, credit_scoring_model, monitoring)
            features = drift[drift["kind"] != "score"]
            row["max_feature_psi"] = float(features["psi"].max())
            row["drifted_features"] = ", ".join(features.loc[features["psi"] >= float(monitoring["psi_act"]), "feature"])
        else:
            row["max_feature_psi"], row["drifted_features"] = np.nan, ""
        row["cost_alert"] = cost > expected_cost * (1 + parameters["cost_margin"])
        row["drift_alert"] = bool(row["drifted_features"])
        rows.append(row)
    return pd.DataFrame(rows)


def outcome_alerts(outcome_report: pd.DataFrame) -> tuple[dict[str, str], str]:
    """MLflow tags of the run (``outcome_alert`` and the flagged periods) and the report's lines."""
    flagged = outcome_report[outcome_report["cost_alert"] | outcome_report["drift_alert"]]
    tags = {"outcome_alert": str(not flagged.empty).lower(), "outcome_alert_periods": ", ".join(flagged["period"]) or "none"}
    lines = ["# Outcome monitoring", ""]
    for row in outcome_report.itertuples():
        flags = (
            [
                f"ALERT: cost per applicant {row.business_cost_per_applicant:.3f} against {row.expected_business_cost_per_applicant:.3f} expected"
            ]
            if row.cost_alert
            else []
        )
        flags += [f"ALERT: drift past PSI action level in {row.drifted_features}"] if row.drift_alert else []
        lines.append(
            f"- {row.period}: {row.n_decisions} decisions, {row.defaults} defaults; ROC AUC {row.roc_auc:.3f} (holdout {row.expected_roc_auc:.3f}); "
            f"refusal rate {row.refusal_rate:.1%} (holdout {row.expected_refusal_rate:.1%}); default rate among accepted {row.default_rate_among_accepted:.1%}; "
            f"cost per applicant {row.business_cost_per_applicant:.3f} (holdout {row.expected_business_cost_per_applicant:.3f}); largest feature PSI {row.max_feature_psi:.3f}"
            + (". " + "; ".join(flags) if flags else ". No alert.")
        )
    return tags, "\n".join(lines) + "\n"
