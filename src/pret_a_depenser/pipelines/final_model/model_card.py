"""The model card of a final-model run, in Markdown (data/08_reporting/model_card.md and MLflow)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from pret_a_depenser.constants import DAYS_PER_YEAR


def _table(frame: pd.DataFrame, floatfmt: str = ".3f") -> str:
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "---|" * len(frame.columns)
    lines = [header, rule]
    for record in frame.itertuples(index=False):
        cells = [format(value, floatfmt) if isinstance(value, float) else str(value) for value in record]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def model_card(
    model_input_train: pd.DataFrame,
    holdout_split: pd.DataFrame,
    generator_truth: pd.DataFrame,
    kept_features: list[str],
    categorical_features: list[str],
    tuned_params: dict[str, Any],
    decision_threshold: dict[str, Any],
    final_metrics: dict[str, Any],
    fairness_table: pd.DataFrame,
    protected_attribute_effect: dict[str, Any],
    pd_calibration: dict[str, Any],
    business: dict[str, Any],
    monitoring: dict[str, Any],
    parameters: dict[str, Any],
) -> str:
    """Data, features, training, holdout metrics, threshold and cost, fairness, drift baseline, limitations."""
    training = holdout_split[holdout_split["SET"] == "train"]
    source = (
        "generated Home-Credit-shaped sample (the project's generator)"
        if not generator_truth.empty
        else "Kaggle Home Credit Default Risk files"
    )
    history_years = (
        -model_input_train["DAYS_BIRTH"].astype(float).min() / DAYS_PER_YEAR
        if "DAYS_BIRTH" in model_input_train
        else float("nan")
    )
    oldest_decision = model_input_train.get("PREV_DAYS_DECISION_MIN")
    span = (
        f"up to {-float(oldest_decision.min()) / DAYS_PER_YEAR:.1f} years of previous applications before each application"
        if oldest_decision is not None
        else "day offsets only"
    )
    fairness_columns = [
        "attribute",
        "group",
        "n",
        "approval_rate",
        "approval_rate_ratio_to_best",
        "default_rate_among_approved",
        "false_refusal_rate",
        "false_refusal_rate_ratio_to_best",
        "roc_auc",
    ]
    fairness = fairness_table[fairness_columns].assign(n=fairness_table["n"].astype(int))
    tuned = pd.DataFrame({"hyperparameter": list(tuned_params), "value": [str(value) for value in tuned_params.values()]})
    lines = [
        f"# Model card: {parameters['model_name']}",
        "",
        f"{parameters['intended_use'].strip()}",
        "",
        "## Data",
        f"- Source: {source}.",
        f"- Applicants with a known outcome: {len(holdout_split):,} ({len(training):,} for training, {int(final_metrics['n_holdout']):,} held out once for the final evaluation).",
        f"- Default rate: {holdout_split['TARGET'].mean():.2%} overall, {final_metrics['default_rate']:.2%} on the holdout.",
        f"- Dates: the tables carry no calendar dates, only day offsets relative to each application; {span}. Oldest applicant: {history_years:.0f} years.",
        "",
        "## Features",
        f"- {len(kept_features)} features kept by the feature_selection pipeline ({len(categorical_features)} categorical: {', '.join(categorical_features) or 'none'}).",
        f"- First ten: {', '.join(kept_features[:10])}.",
        "",
        "## Training",
        f"- CatBoost, class weights: {tuned_params.get('auto_class_weights') or 'none'}; tuned by Optuna on the cross-validated business cost; refit on all training applicants.",
        "",
        _table(tuned),
        "",
        "## Holdout metrics and decision threshold",
        f"- ROC AUC {final_metrics['roc_auc']:.4f}"
        + (f" (generator's oracle {final_metrics['oracle_roc_auc']:.4f})" if "oracle_roc_auc" in final_metrics else "")
        + ".",
        (
            f"- Decision: REFUSED when the probability of default is at least {decision_threshold['threshold']:.3f} "
            f"({decision_threshold['interval_level']:.0%} bootstrap interval {decision_threshold['threshold_interval_low']:.3f}-{decision_threshold['threshold_interval_high']:.3f}), "
            f"the threshold minimising {business['fn_cost']} x missed defaults + {business['fp_cost']} x refused good clients."
        ),
        (
            f"- Business cost on the holdout: {final_metrics['business_cost']:,.0f} ({final_metrics['business_cost_per_applicant']:.3f} per applicant); "
            f"refusal rate {final_metrics['refusal_rate']:.1%}; TP {final_metrics['tp']}, FN {final_metrics['fn']}, FP {final_metrics['fp']}, TN {final_metrics['tn']}."
        ),
        (
            f"- Calibration: the PD is the CatBoost score mapped to a default frequency ({pd_calibration.get('method', 'none')}, "
            f"fitted on the out-of-fold scores). Holdout Brier score {final_metrics['brier_score_uncalibrated']:.4f} before, {final_metrics['brier_score']:.4f} after; "
            f"expected calibration error (10 quantile bins) {final_metrics['expected_calibration_error_uncalibrated']:.4f} before, {final_metrics['expected_calibration_error']:.4f} after."
        ),
        "",
        *_protected_attribute_lines(protected_attribute_effect),
        "## Fairness (holdout)",
        "Rates by group, with each rate's ratio to the best-treated group (approval: highest; default among approved and false refusals: lowest).",
        "",
        _table(fairness),
        "",
        "## Drift baseline",
        f"- Reference for the monitoring pipeline: the {len(training):,} training applicants' {len(kept_features)} kept features and the model's scores on them.",
        (
            f"- Population stability index per feature on {monitoring['psi_bins']} reference-quantile bins: watch at {monitoring['psi_watch']}, act at {monitoring['psi_act']}; "
            f"Kolmogorov-Smirnov (numbers) or chi-square (labels) at p < {monitoring['p_value']}."
        ),
        "",
        "## Limitations",
        *[f"- {limitation.strip()}" for limitation in parameters["limitations"]],
        "",
    ]
    return "\n".join(lines)


def _protected_attribute_lines(effect: dict[str, Any]) -> list[str]:
    """The protected attributes left out of the model, and what leaving them out costs on the holdout."""
    attributes = ", ".join(effect["protected_attributes"]) or "none present in the data"
    lines = [
        "## Protected attributes",
        f"- Kept out of training and serving, with every feature derived from them: {attributes}; kept for the fairness audit below.",
    ]
    if "with" in effect:
        without, with_them = effect["without"], effect["with"]
        lines += [
            "",
            "| model | holdout ROC AUC | holdout business cost |",
            "|---|---|---|",
            f"| served (without them) | {without['roc_auc']:.4f} | {without['business_cost']:,.0f} |",
            f"| refitted with them added, same calibration and threshold | {with_them['roc_auc']:.4f} | {with_them['business_cost']:,.0f} |",
        ]
    return [*lines, ""]
