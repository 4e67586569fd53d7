"""Nodes of the monitoring pipeline: reference and current applicants, drift statistics, report.

Per kept feature: the population stability index (PSI, on reference-quantile bins, missing values
in a bin of their own) and a test suited to the type (two-sample Kolmogorov-Smirnov for numbers,
chi-square for labels, both from scipy); the same for the model's score. PSI decides the status
(stable / watch / drift, thresholds from parameters): with thousands of applicants the tests reject
for differences too small to matter, so their p-values are reported, not used as the flag.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from pret_a_depenser.scoring import CreditScoringModel
from pret_a_depenser.tracking import MlflowMetrics, mlflow_metrics

SCORE = "probability_of_default"
SMOOTHING = 1e-4  # share given to empty bins so the PSI stays finite


def _scored(scoring_model: CreditScoringModel, features: pd.DataFrame) -> pd.DataFrame:
    scored = features[scoring_model.features].copy()
    scored[SCORE] = scoring_model.decide(scoring_model.inputs_from_frame(features)).probabilities if len(features) else []
    return scored


def reference_applicants(
    credit_scoring_model: CreditScoringModel, training_set: pd.DataFrame, parameters: dict[str, Any], seed: int
) -> pd.DataFrame:
    """The served model's training applicants (a seeded sample), its kept features and its scores."""
    sample = training_set.sample(n=min(len(training_set), parameters["max_reference_rows"]), random_state=seed)
    return _scored(credit_scoring_model, sample)


def current_applicants(
    credit_scoring_model: CreditScoringModel,
    decision_audit_log: pd.DataFrame,
    model_input_test: pd.DataFrame,
    parameters: dict[str, Any],
) -> pd.DataFrame:
    """The applicants to compare: the served model's decisions in the audit log, or the test applicants scored now."""
    source = parameters["current_source"]
    if source == "test_applicants":
        return _scored(credit_scoring_model, model_input_test)
    if source != "audit_log":
        raise ValueError(f"monitoring.current_source={source!r}: choose audit_log or test_applicants")
    served = (
        decision_audit_log[decision_audit_log["model_tag"] == credit_scoring_model.tag]
        if not decision_audit_log.empty
        else decision_audit_log
    )
    if served.empty:
        raise ValueError(
            f"the decision audit log (catalog entry decision_audit_log) holds no decision of {credit_scoring_model.tag}: serve and score "
            "applicants first, or run with --params monitoring.current_source=test_applicants"
        )
    logged = pd.DataFrame([json.loads(features) for features in served["features"]], columns=credit_scoring_model.features)
    logged[credit_scoring_model.numeric_features] = logged[credit_scoring_model.numeric_features].astype(float)
    logged[SCORE] = served["probability_of_default"].to_numpy()
    return logged


def _psi(reference_counts: np.ndarray, current_counts: np.ndarray) -> float:
    expected = np.maximum(reference_counts / max(reference_counts.sum(), 1), SMOOTHING)
    actual = np.maximum(current_counts / max(current_counts.sum(), 1), SMOOTHING)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def _numeric_drift(reference: pd.Series, current: pd.Series, bins: int) -> dict[str, float]:
    reference_values, current_values = reference.dropna().to_numpy(float), current.dropna().to_numpy(float)
    edges = np.unique(np.quantile(reference_values, np.linspace(0, 1, bins + 1))) if len(reference_values) else np.array([])
    inner = edges[1:-1]  # open-ended outer bins: current values beyond the reference range still count

    def counts(values: np.ndarray, missing: int) -> np.ndarray:
        return np.append(np.bincount(np.searchsorted(inner, values, side="right"), minlength=len(inner) + 1), missing)

    psi = _psi(counts(reference_values, reference.isna().sum()), counts(current_values, current.isna().sum()))
    if len(reference_values) and len(current_values):
        test = stats.ks_2samp(reference_values, current_values)
        return {"psi": psi, "test": "ks", "statistic": float(test.statistic), "p_value": float(test.pvalue)}
    return {"psi": psi, "test": "ks", "statistic": np.nan, "p_value": np.nan}


def _categorical_drift(reference: pd.Series, current: pd.Series) -> dict[str, float]:
    reference_labels, current_labels = (
        reference.astype("string").fillna("<missing>"),
        current.astype("string").fillna("<missing>"),
    )
    labels = sorted(set(reference_labels) | set(current_labels))
    reference_counts = reference_labels.value_counts().reindex(labels, fill_value=0).to_numpy()
    current_counts = current_labels.value_counts().reindex(labels, fill_value=0).to_numpy()
    psi = _psi(reference_counts, current_counts)
    if len(labels) > 1:
        table = np.vstack([reference_counts, current_counts])
        table = table[:, table.sum(axis=0) > 0]
        chi2, p_value, _, _ = stats.chi2_contingency(table)
        return {"psi": psi, "test": "chi2", "statistic": float(chi2), "p_value": float(p_value)}
    return {"psi": psi, "test": "chi2", "statistic": 0.0, "p_value": 1.0}


def drift_statistics(
    reference: pd.DataFrame, current: pd.DataFrame, credit_scoring_model: CreditScoringModel, parameters: dict[str, Any]
) -> pd.DataFrame:
    """One row per kept feature and one for the score: PSI, test, p-value, missing shares and status."""
    if len(current) < parameters["min_current_rows"]:
        raise ValueError(
            f"{len(current)} current applicants: at least monitoring.min_current_rows={parameters['min_current_rows']} are needed for a drift verdict"
        )
    categorical = set(credit_scoring_model.categorical_features)
    rows = []
    for column in [*credit_scoring_model.features, SCORE]:
        kind = "categorical" if column in categorical else "numeric"
        figures = (
            _categorical_drift(reference[column], current[column])
            if kind == "categorical"
            else _numeric_drift(reference[column], current[column], parameters["psi_bins"])
        )
        rows.append(
            {
                "feature": column,
                "kind": "score" if column == SCORE else kind,
                **figures,
                "reference_missing_share": float(reference[column].isna().mean()),
                "current_missing_share": float(current[column].isna().mean()),
            }
        )
    table = pd.DataFrame(rows)
    table["status"] = np.select(
        [table["psi"] >= parameters["psi_act"], table["psi"] >= parameters["psi_watch"]], ["drift", "watch"], "stable"
    )
    table["test_rejects"] = table["p_value"] < parameters["p_value"]
    return table.sort_values(["psi"], ascending=False, ignore_index=True)


def drift_mlflow_metrics(drift_table: pd.DataFrame) -> MlflowMetrics:
    features = drift_table[drift_table["kind"] != "score"]
    summary = {
        "n_features_drifted": (features["status"] == "drift").sum(),
        "n_features_watched": (features["status"] == "watch").sum(),
        "score_psi": drift_table.loc[drift_table["kind"] == "score", "psi"].iloc[0],
    }
    return {
        **mlflow_metrics(dict(zip(drift_table["feature"], drift_table["psi"], strict=True)), "drift.psi."),
        **mlflow_metrics(summary, "drift."),
    }
