"""Objects every page shares, made once per app process (Streamlit's resource cache)."""

from __future__ import annotations

import streamlit as st

from pret_a_depenser.webapp import AppSettings, ScoringService
from pret_a_depenser.webapp.project_data import ProjectData


@st.cache_resource
def settings() -> AppSettings:
    return AppSettings.from_environment()


@st.cache_resource
def service() -> ScoringService:
    return ScoringService(settings().service_url, settings().api_key, settings().timeout)


@st.cache_resource(show_spinner="Opening the project's catalog...")
def project() -> ProjectData:
    return ProjectData(settings().project_path, settings().kedro_env)


@st.cache_resource(show_spinner="Reading the test applicants' records...")
def test_tables():
    return project().test_tables()


@st.cache_resource(show_spinner="Reading the training applicants...")
def training_reference(features: tuple[str, ...]):
    return project().training_reference(list(features))


def project_or_stop() -> ProjectData:
    """The project's catalog, or a message on the page and nothing else."""
    try:
        return project()
    except Exception as error:  # noqa: BLE001 -- Kedro raises several kinds for a wrong path or environment: said on the page
        st.error(f"The pipeline's outputs cannot be read from the Kedro project at {settings().project_path}: {error}")
        st.stop()


@st.cache_data(ttl=30, show_spinner="Reading the decision audit log...")
def audit_log():
    """The audit log without the logged features (the page shows decisions, not inputs), re-read every 30 s."""
    audit = project().load("decision_audit_log")
    return None if audit is None else audit.drop(columns=["features", "features_sha256"], errors="ignore")
