"""Decisions: what the service decided, day by day, from its audit log."""

import altair as alt
import resources
import streamlit as st

from pret_a_depenser.webapp.views import daily_decisions, decision_icon, filter_decisions, latest_decisions, score_summary

N_LATEST = 50

st.title("Decisions")
project = resources.project_or_stop()
audit = resources.audit_log()
if audit is None or audit.empty:
    st.info(
        "The service has not logged any decision yet: score applicants (this app's Applicant page, or `POST /predict`) and come back."
    )
    st.stop()

days = filter_decisions(audit, ["ACCEPTED", "REFUSED"], sorted(audit["endpoint"].unique()), None)["day"]
with st.container(border=True):
    left, middle, right = st.columns(3)
    decisions_kept = left.multiselect("Decision", ["ACCEPTED", "REFUSED"], default=["ACCEPTED", "REFUSED"])
    endpoints_kept = middle.multiselect(
        "Endpoint", sorted(audit["endpoint"].unique()), default=sorted(audit["endpoint"].unique())
    )
    period = right.date_input("Days", value=(days.min(), days.max()), min_value=days.min(), max_value=days.max())
period = tuple(period) if isinstance(period, tuple | list) and len(period) == 2 else None
decisions = filter_decisions(audit, decisions_kept, endpoints_kept, period)

refused = (decisions["decision"] == "REFUSED").mean() if len(decisions) else 0.0
first, second, third = st.columns(3)
first.metric("Decisions", f"{len(decisions):,}")
second.metric("Refusal rate", f"{refused:.1%}")
third.metric("Median probability of default", f"{decisions['probability_of_default'].median():.1%}" if len(decisions) else "-")

st.header("Decisions per day")
daily = daily_decisions(decisions)
chart_column, table_column = st.columns([3, 2])
chart_column.altair_chart(
    alt.Chart(daily.melt(id_vars="day", value_vars=["decisions", "refused"], var_name="count", value_name="n"))
    .mark_bar()
    .encode(
        x=alt.X("day:T", title="day"),
        y=alt.Y("n:Q", title="decisions", stack=None),
        color=alt.Color("count:N", scale=alt.Scale(domain=["decisions", "refused"], range=["#1f4e79", "#b2182b"])),
    )
    .properties(height=240),
    use_container_width=True,
)
table_column.table(daily.assign(refusal_rate=daily["refusal_rate"].map("{:.1%}".format)).tail(14))

st.header("Scores")
st.write(score_summary(decisions))
if len(decisions):
    st.altair_chart(
        alt.Chart(decisions[["probability_of_default", "decision"]])
        .mark_bar()
        .encode(
            x=alt.X("probability_of_default:Q", bin=alt.Bin(maxbins=40), title="probability of default"),
            y=alt.Y("count():Q", title="decisions"),
            color=alt.Color("decision:N", scale=alt.Scale(domain=["ACCEPTED", "REFUSED"], range=["#2166ac", "#b2182b"])),
        )
        .properties(height=200),
        use_container_width=True,
    )

st.header(f"Latest {N_LATEST} decisions")
latest = latest_decisions(decisions, N_LATEST)
lines = ["| time (UTC) | applicant | endpoint | decision | probability | reasons |", "|---|---|---|---|---|---|"]
for row in latest.itertuples():
    if row.applicant_id == row.applicant_id and row.applicant_id is not None:  # NaN or None: not recorded
        applicant = f"[{int(row.applicant_id)}](/?applicant={int(row.applicant_id)})"
    else:
        applicant = "features only" if row.endpoint == "predict_features" else "not recorded"
    icon = f"{decision_icon(row.decision)} {row.decision.lower()}"
    lines.append(
        f"| {row.timestamp[:19].replace('T', ' ')} | {applicant} | {row.endpoint} | {icon} | {row.probability_of_default:.1%} | {row.reasons or '-'} |"
    )
st.markdown("\n".join(lines))
