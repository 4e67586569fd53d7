"""Prêt à dépenser: the web app for credit officers and risk analysts.

`make app` (or `streamlit run app/streamlit_app.py`) with the scoring service running (`bentoml serve`).
Every decision shown is the service's; the pipeline's outputs are read through the Kedro catalog.
"""

import streamlit as st

st.set_page_config(
    page_title="Prêt à dépenser: credit decisions", layout="wide"
)  # no Material icon on pages: the favicon would be fetched from Google
navigation = st.navigation(
    [
        st.Page("views/applicant.py", title="Applicant", default=True),  # at "/" (?applicant=<SK_ID_CURR>)
        st.Page("views/decisions.py", title="Decisions", url_path="decisions"),
        st.Page("views/model.py", title="Model", url_path="model"),
    ]
)
navigation.run()
