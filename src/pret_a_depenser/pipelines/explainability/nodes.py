"""Nodes of the explainability pipeline: the inference artefact's SHAP values, drawn with SHAP's plots.

The values come from the same call as the service's ``/explain`` (CatBoost's TreeSHAP), so a
waterfall here and an explanation served for the same applicant agree.
"""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import shap

from pret_a_depenser.scoring import CreditScoringModel


def explain_holdout_sample(
    credit_scoring_model: CreditScoringModel, holdout_set: pd.DataFrame, parameters: dict[str, Any], seed: int
) -> shap.Explanation:
    """SHAP values (log-odds) of a seeded sample of holdout applicants."""
    rows = holdout_set.sample(n=min(len(holdout_set), parameters["sample_size"]), random_state=seed)
    inputs = credit_scoring_model.inputs_from_frame(rows)
    values, base_values = credit_scoring_model.shap_values(inputs)
    data = np.concatenate([inputs.numbers.astype(object), inputs.labels], axis=1)
    explanation = shap.Explanation(values, base_values=base_values, data=data, feature_names=credit_scoring_model.features)
    explanation.display_data = rows[credit_scoring_model.features].to_numpy()
    explanation.ids = rows["SK_ID_CURR"].to_numpy()
    return explanation


def global_importance(explanation: shap.Explanation) -> pd.DataFrame:
    """Mean |SHAP| per feature, most influential first."""
    importance = np.abs(explanation.values).mean(axis=0)
    return pd.DataFrame({"feature": explanation.feature_names, "mean_abs_shap": importance}).sort_values(
        "mean_abs_shap", ascending=False, ignore_index=True
    )


def global_plots(explanation: shap.Explanation, parameters: dict[str, Any]) -> dict[str, plt.Figure]:
    figures = {}
    for name, plot in (("shap_beeswarm.png", shap.plots.beeswarm), ("shap_mean_abs_bar.png", shap.plots.bar)):
        plot(explanation, max_display=parameters["max_display"], show=False)
        figure = plt.gcf()
        figure.set_size_inches(9, 7)
        figure.tight_layout()
        figures[name] = figure
        plt.figure()
    return figures


def local_waterfalls(
    explanation: shap.Explanation, credit_scoring_model: CreditScoringModel, parameters: dict[str, Any]
) -> dict[str, plt.Figure]:
    """Waterfalls for a few refused and accepted applicants (the first of each in the seeded sample);
    the waterfall explains the score's log-odds, the title gives the model's calibrated PD and decision."""
    decisions = credit_scoring_model.rule.decide_log_odds(explanation.base_values + explanation.values.sum(axis=1))
    proba, threshold = decisions.probabilities, decisions.threshold
    figures = {}
    per_decision = parameters["local_examples_per_decision"]
    for decision, rows in (("refused", np.flatnonzero(decisions.refused)), ("accepted", np.flatnonzero(~decisions.refused))):
        for row in rows[:per_decision]:
            shap.plots.waterfall(explanation[row], max_display=12, show=False)
            figure = plt.gcf()
            figure.suptitle(
                f"Applicant {explanation.ids[row]}: PD {proba[row]:.3f}, {decision.upper()} (threshold {threshold:.3f})"
            )
            figure.set_size_inches(9, 6)  # no tight_layout: SHAP's waterfall axes do not fit it; saved with bbox_inches=tight
            figures[f"waterfall_{decision}_{explanation.ids[row]}.png"] = figure
            plt.figure()
    return figures
