"""Applicant: the service's decision for one applicant, why, how the applicant compares, and what if."""

import json

import altair as alt
import pandas as pd
import resources
import streamlit as st

from pret_a_depenser.webapp import ServiceError
from pret_a_depenser.webapp.project_data import records_of
from pret_a_depenser.webapp.views import (
    FORM_DEFAULTS,
    OTHER_REQUIRED_VALUES,
    blank_application,
    decision_icon,
    decision_sentence,
    outcome_groups,
    position_summary,
    similar_applicants,
    term_months,
    top_contributions,
    what_if_records,
)

N_CONTRIBUTIONS = 10
service = resources.service()


def answer_for(records: dict) -> dict:
    """The service's explanation of these records, asked once per distinct records in this session."""
    key = "answer:" + json.dumps(records, sort_keys=True)
    if key not in st.session_state:
        st.session_state[key] = service.explain(records)
    return st.session_state[key]


def gauge(answer: dict) -> alt.LayerChart:
    """The probability of default on a 0-100 % scale with the threshold marked."""
    frame = pd.DataFrame(
        {
            "label": ["probability of default"],
            "probability": [answer["probability_of_default"]],
            "threshold": [answer["threshold"]],
        }
    )
    scale = alt.Scale(domain=[0, 1])
    track = (
        alt.Chart(pd.DataFrame({"start": [0.0], "end": [1.0]}))
        .mark_bar(color="#d9d9d9", height=28)
        .encode(x=alt.X("start:Q", scale=scale, axis=alt.Axis(format="%", title=None)), x2="end:Q")
    )
    bar = (
        alt.Chart(frame)
        .mark_bar(color="#1f4e79", height=28)
        .encode(x=alt.X("probability:Q", scale=scale), tooltip=[alt.Tooltip("probability:Q", format=".1%")])
    )
    rule = alt.Chart(frame).mark_rule(color="#000000", strokeWidth=3, strokeDash=[4, 2]).encode(x="threshold:Q")
    label = alt.Chart(frame).mark_text(dy=-24, color="#000000").encode(x="threshold:Q", text=alt.value("threshold"))
    return (track + bar + rule + label).properties(height=90)


st.title("Applicant")
project = resources.project_or_stop()
tables = resources.test_tables()
applicant_ids = tables["application"]["SK_ID_CURR"].to_list()

start = st.radio("Start from", ["a test applicant", "a blank application form"], horizontal=True)
records = None
if start == "a test applicant":
    asked = st.query_params.get("applicant")
    index = None
    if asked is not None:
        if asked.isdigit() and int(asked) in set(applicant_ids):
            index = applicant_ids.index(int(asked))
        else:
            st.error(f"SK_ID_CURR {asked!r} is not one of the {len(applicant_ids):,} test applicants: choose one in the list.")
    chosen = st.selectbox(
        "Applicant (SK_ID_CURR): type to search", applicant_ids, index=index, placeholder="Type or choose an SK_ID_CURR"
    )
    if chosen is None:
        st.info("Choose a test applicant to see the service's decision.")
        st.stop()
    st.query_params["applicant"] = str(chosen)
    records = records_of(tables, int(chosen))
else:
    with st.form("blank_application"):
        st.write("An applicant with no credit history. Amounts in the application's currency; leave a score at 0 if unknown.")
        left, middle, right = st.columns(3)
        form = dict(FORM_DEFAULTS)
        form["SK_ID_CURR"] = left.number_input("Applicant id (SK_ID_CURR)", value=FORM_DEFAULTS["SK_ID_CURR"], step=1)
        form["age_years"] = left.number_input("Age (years)", value=FORM_DEFAULTS["age_years"], step=1)
        form["employed"] = left.checkbox("Employed", value=True)
        form["years_employed"] = left.number_input("Years in current employment", value=FORM_DEFAULTS["years_employed"], step=0.5)
        form["years_since_id_published"] = left.number_input(
            "Years since the ID document was issued", value=FORM_DEFAULTS["years_since_id_published"], step=1.0
        )
        form["CNT_CHILDREN"] = middle.number_input("Children", value=FORM_DEFAULTS["CNT_CHILDREN"], step=1)
        form["AMT_INCOME_TOTAL"] = middle.number_input("Annual income", value=FORM_DEFAULTS["AMT_INCOME_TOTAL"], step=1000.0)
        form["AMT_CREDIT"] = middle.number_input("Credit amount", value=FORM_DEFAULTS["AMT_CREDIT"], step=1000.0)
        form["AMT_ANNUITY"] = middle.number_input("Annuity (monthly payment)", value=FORM_DEFAULTS["AMT_ANNUITY"], step=100.0)
        form["AMT_GOODS_PRICE"] = middle.number_input("Price of the goods", value=FORM_DEFAULTS["AMT_GOODS_PRICE"], step=1000.0)
        form["NAME_CONTRACT_TYPE"] = right.selectbox("Contract type", ["Cash loans", "Revolving loans"])
        form["REGION_RATING_CLIENT"] = right.selectbox("Region rating (1 best, 3 worst)", [1, 2, 3], index=1)
        for name in ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"):
            score = right.number_input(
                f"External score {name[-1]} (0 to 1; 0 = unknown)", value=FORM_DEFAULTS[name] or 0.0, step=0.05
            )
            form[name] = score or None
        with st.expander("Values used for the application's other required fields"):
            st.table(pd.DataFrame({"field": list(OTHER_REQUIRED_VALUES), "value": list(OTHER_REQUIRED_VALUES.values())}))
        if not st.form_submit_button("Score this application"):
            st.stop()
    records = blank_application(form)

try:
    answer = answer_for(records)
except ServiceError as error:
    st.error(str(error))
    st.stop()

application = records["application"]
st.header(f"Decision for applicant {application['SK_ID_CURR']}")
(st.success if answer["decision"] == "ACCEPTED" else st.error)(decision_sentence(answer), icon=decision_icon(answer["decision"]))
gauge_column, facts_column = st.columns([3, 2])
gauge_column.altair_chart(gauge(answer), use_container_width=True)
facts_column.markdown(
    f"- Probability of default: **{answer['probability_of_default']:.1%}**\n"
    f"- Decision threshold: **{answer['threshold']:.1%}**\n"
    f"- Model: `{answer['model_tag']}`\n"
    f"- Unseen categories: {', '.join(answer['unseen_categories']) or 'none'}"
)
if answer["reasons"]:
    st.subheader("Main reasons for the refusal")
    st.markdown("\n".join(f"{number}. {reason['text']}" for number, reason in enumerate(answer["reasons"], start=1)))

st.subheader("What weighed on the decision")
contributions = top_contributions(answer, N_CONTRIBUTIONS)
st.altair_chart(
    alt.Chart(contributions)
    .mark_bar()
    .encode(
        x=alt.X("contribution:Q", title="contribution to the log-odds of default (SHAP)"),
        y=alt.Y("feature:N", sort=None, title=None),
        color=alt.Color("effect:N", scale=alt.Scale(domain=["raises the risk", "lowers the risk"], range=["#b2182b", "#2166ac"])),
        tooltip=["feature", "value", alt.Tooltip("contribution:Q", format=".3f"), "effect"],
    )
    .properties(height=300),
    use_container_width=True,
)
st.table(contributions.assign(contribution=contributions["contribution"].map("{:+.3f}".format)))

st.subheader("Compared with other applicants")
values = {item["feature"]: item["value"] for item in answer["contributions"]}
numeric = [item["feature"] for item in answer["contributions"] if not isinstance(item["value"], str)]
chosen_features = st.multiselect("Features to compare", list(values), default=numeric[:3], max_selections=5)
if chosen_features:
    reference = resources.training_reference(tuple(values))
    similar = similar_applicants(reference, application["DAYS_BIRTH"], application.get("AMT_INCOME_TOTAL") or 0.0)
    st.caption(
        f"Training applicants who repaid or defaulted: all {len(reference):,}, and the {len(similar):,} of the same age band and income band."
    )
    for feature in chosen_features:
        for label, group in (("all training applicants", reference), ("similar applicants", similar)):
            groups = outcome_groups(group, feature)
            st.markdown(f"**{feature}**, {label}: {position_summary(groups, values[feature])}")
            if groups.empty or not pd.api.types.is_numeric_dtype(groups["value"]):
                continue
            histogram = (
                alt.Chart(groups)
                .mark_bar(opacity=0.6)
                .encode(
                    x=alt.X("value:Q", bin=alt.Bin(maxbins=30), title=feature),
                    y=alt.Y("count():Q", stack=None, title="applicants"),
                    color=alt.Color("outcome:N", scale=alt.Scale(domain=["repaid", "defaulted"], range=["#2166ac", "#b2182b"])),
                )
            )
            marks = [histogram]
            if values[feature] is not None:
                marks.append(
                    alt.Chart(pd.DataFrame({"value": [values[feature]]}))
                    .mark_rule(color="#000000", strokeWidth=3)
                    .encode(x="value:Q")
                )
            st.altair_chart(alt.layer(*marks).properties(height=160), use_container_width=True)

st.subheader("What if")
credit, annuity = float(application.get("AMT_CREDIT") or 0.0), float(application.get("AMT_ANNUITY") or 0.0)
with st.form("what_if"):
    left, middle, right = st.columns(3)
    new_credit = left.number_input("Credit amount", value=credit, step=1000.0)
    new_annuity = middle.number_input("Annuity (monthly payment)", value=annuity, step=100.0)
    new_term = right.number_input(
        "Or a term in months (sets the annuity to credit / term; 0 = keep the annuity)", value=0, step=1
    )
    rescore = st.form_submit_button("Re-score with these terms")
if rescore:
    if new_term:
        new_annuity = new_credit / new_term
    try:
        changed = answer_for(what_if_records(records, new_credit, new_annuity))
    except ServiceError as error:
        st.error(str(error))
    else:
        before, after = st.columns(2)
        before.metric(
            "Probability of default now",
            f"{answer['probability_of_default']:.1%}",
            help=f"term {term_months(credit, annuity):.0f} months",
        )
        after.metric(
            "Probability of default with the new terms",
            f"{changed['probability_of_default']:.1%}",
            delta=f"{100 * (changed['probability_of_default'] - answer['probability_of_default']):+.1f} points",
            delta_color="inverse",
        )
        st.markdown(
            f"With a credit of {new_credit:,.0f} and an annuity of {new_annuity:,.0f} (term {term_months(new_credit, new_annuity):.0f} months): "
            + decision_icon(changed["decision"])
            + " "
            + decision_sentence(changed)
        )
