"""Model: the model card, the holdout metrics, the cost curve and threshold, fairness and drift."""

import altair as alt
import pandas as pd
import resources
import streamlit as st

from pret_a_depenser.webapp.views import cost_curve_summary, demoted_headings, drift_summary

st.title("Model")
project = resources.project_or_stop()

metrics = project.load("final_metrics")
if metrics is None:
    st.info("No trained model yet: run `kedro run` first.")
    st.stop()

st.header("Holdout metrics")
first, second, third, fourth = st.columns(4)
first.metric("ROC AUC", f"{metrics['roc_auc']:.3f}")
second.metric(
    "Business cost", f"{metrics['business_cost']:,.0f}", help="10 × missed defaults + 1 × refused good clients, on the holdout"
)
third.metric("Threshold", f"{metrics['threshold']:.3f}")
fourth.metric("Refusal rate", f"{metrics['refusal_rate']:.1%}")
st.table(
    pd.DataFrame(
        {
            "metric": list(metrics),
            "value": [f"{value:,.4g}" if isinstance(value, float) else str(value) for value in metrics.values()],
        }
    )
)

st.header("Business cost against the threshold")
curve = project.load("threshold_cost_curve")
if curve is not None:
    threshold = float(metrics["threshold"])
    st.write(cost_curve_summary(curve, threshold))
    line = (
        alt.Chart(curve)
        .mark_line(color="#1f4e79")
        .encode(
            x=alt.X("threshold:Q", title="threshold"),
            y=alt.Y("cost:Q", title="business cost (out of fold)"),
            tooltip=["threshold", "cost", "fn", "fp"],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"threshold": [threshold]}))
        .mark_rule(color="#000000", strokeDash=[4, 2], strokeWidth=2)
        .encode(x="threshold:Q")
    )
    st.altair_chart((line + rule).properties(height=260), use_container_width=True)

st.header("Fairness on the holdout")
fairness = project.load("fairness_table")
if fairness is not None:
    st.write(
        "Approval, default-among-approved and false-refusal rates and AUC by group; ratios are to the best group (four-fifths rule: an approval ratio under 0.8 deserves a look)."
    )
    shown = fairness[
        [
            "attribute",
            "group",
            "n",
            "approval_rate",
            "default_rate_among_approved",
            "false_refusal_rate",
            "roc_auc",
            "approval_rate_ratio_to_best",
        ]
    ]
    st.table(shown.assign(n=shown["n"].astype(int)).round(3))

st.header("Drift")
sentence, flagged = drift_summary(project.load("drift_statistics"))
st.write(sentence)
if not flagged.empty:
    st.table(flagged.round(3))

st.header("Model card")
card = project.load("model_card")
st.markdown(demoted_headings(card, 2) if card else "No model card yet: run `kedro run` first.")
