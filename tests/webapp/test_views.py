"""The web app's figures on tiny hand-made frames."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from pret_a_depenser.constants import NO_DATE
from pret_a_depenser.webapp.views import (
    FORM_DEFAULTS,
    age_band,
    blank_application,
    cost_curve_summary,
    daily_decisions,
    decision_sentence,
    demoted_headings,
    drift_summary,
    filter_decisions,
    income_band,
    income_band_edges,
    latest_decisions,
    outcome_groups,
    position_summary,
    similar_applicants,
    top_contributions,
    what_if_records,
)


def test_the_decision_sentence_carries_the_word_and_both_figures():
    sentence = decision_sentence({"decision": "REFUSED", "probability_of_default": 0.4567, "threshold": 0.405})
    assert sentence.startswith("**Refused**") and "45.7%" in sentence and "40.5%" in sentence


def test_top_contributions_say_which_way_each_feature_pushes():
    answer = {
        "contributions": [
            {"feature": "EXT_SOURCE_2", "value": 0.1234567, "contribution": 0.8, "direction": "increases_risk"},
            {"feature": "CODE", "value": None, "contribution": -0.2, "direction": "decreases_risk"},
            {"feature": "NAME", "value": "Cash loans", "contribution": 0.0, "direction": "none"},
        ]
    }
    frame = top_contributions(answer, 2)
    assert frame.to_dict("list") == {
        "feature": ["EXT_SOURCE_2", "CODE"],
        "value": ["0.1235", "missing"],
        "contribution": [0.8, -0.2],
        "effect": ["raises the risk", "lowers the risk"],
    }


@pytest.mark.parametrize(("years", "band"), [(18.5, "18-29"), (29.99, "18-29"), (30, "30-39"), (59.5, "50-59"), (75, "60+")])
def test_age_bands(years, band):
    assert age_band(-years * 365.25) == band


def test_similar_applicants_share_the_age_band_and_the_income_quintile():
    reference = pd.DataFrame(
        {
            "SK_ID_CURR": range(10),
            "TARGET": [0, 1] * 5,
            "DAYS_BIRTH": [-35 * 365.25] * 5 + [-45 * 365.25] * 5,
            "AMT_INCOME_TOTAL": [10.0, 20.0, 30.0, 40.0, 50.0, 10.0, 20.0, 30.0, 40.0, 50.0],
        }
    )
    edges = income_band_edges(reference["AMT_INCOME_TOTAL"])
    assert income_band(10.0, edges) == 1 and income_band(50.0, edges) == 5
    similar = similar_applicants(reference, -36 * 365.25, 12.0)
    assert similar["SK_ID_CURR"].tolist() == [0]


def test_the_applicants_position_among_those_who_repaid_and_defaulted_is_said_in_words():
    groups = outcome_groups(pd.DataFrame({"F": [1.0, 2.0, 3.0, 4.0, np.nan], "TARGET": [0, 0, 1, 1, 0]}), "F")
    assert len(groups) == 4
    assert (
        position_summary(groups, 2.5)
        == "The applicant's value 2.5 is above 100% of the 2 who repaid (median 1.5) and above 0% of the 2 who defaulted (median 3.5)."
    )
    assert position_summary(groups, None) == "The applicant has no value for this feature."
    labels = outcome_groups(pd.DataFrame({"L": ["a", "b", "a"], "TARGET": [0, 0, 1]}), "L")
    assert (
        position_summary(labels, "a")
        == "50% of the 2 who repaid share the value 'a'; 100% of the 1 who defaulted share the value 'a'."
    )


def test_what_if_changes_credit_and_annuity_only_and_leaves_the_records_untouched():
    records = {"application": {"SK_ID_CURR": 1, "AMT_CREDIT": 100.0, "AMT_ANNUITY": 10.0}, "bureau": [{"SK_ID_BUREAU": 3}]}
    changed = what_if_records(records, 300.0, 12.5)
    assert changed == {
        "application": {"SK_ID_CURR": 1, "AMT_CREDIT": 300.0, "AMT_ANNUITY": 12.5},
        "bureau": [{"SK_ID_BUREAU": 3}],
    }
    assert records["application"]["AMT_CREDIT"] == 100.0


def test_a_blank_application_has_every_complete_column_of_the_contract():
    from pret_a_depenser.scoring import ApplicantRecords

    records = blank_application({**FORM_DEFAULTS, "employed": False})
    parsed = ApplicantRecords.model_validate(records)
    assert parsed.application.DAYS_EMPLOYED == NO_DATE and parsed.application.DAYS_BIRTH == -14610
    assert parsed.application.EXT_SOURCE_1 is None and parsed.bureau == []


def _audit() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "timestamp": [
                "2026-11-01T10:00:00.000001+00:00",
                "2026-11-01T11:00:00.000001+00:00",
                "2026-11-02T09:00:00.000001+00:00",
                "2026-11-03T09:00:00+00:00",
            ],
            "endpoint": ["predict", "explain", "predict", "predict_features"],
            "decision": ["ACCEPTED", "REFUSED", "REFUSED", "ACCEPTED"],
            "probability_of_default": [0.1, 0.6, 0.7, 0.2],
            "reasons": ["[]", '[{"feature": "A", "text": "age raises the risk", "contribution": 1.0}]', "[]", "[]"],
            "applicant_id": [11, 12, 13, None],
        }
    )


def test_decisions_are_filtered_then_counted_per_day():
    kept = filter_decisions(_audit(), ["ACCEPTED", "REFUSED"], ["predict", "explain"], (date(2026, 11, 1), date(2026, 11, 2)))
    daily = daily_decisions(kept)
    assert daily.to_dict("list") == {
        "day": [date(2026, 11, 1), date(2026, 11, 2)],
        "decisions": [2, 1],
        "refused": [1, 1],
        "refusal_rate": [0.5, 1.0],
    }
    assert filter_decisions(_audit(), ["REFUSED"], ["predict"], None)["id"].tolist() == [3]


def test_the_latest_decisions_come_newest_first_with_their_reasons_in_words():
    latest = latest_decisions(_audit(), 3)
    assert latest["applicant_id"].tolist()[1:] == [13, 12] and latest["reasons"].tolist() == ["", "", "age raises the risk"]


def test_cost_curve_and_drift_summaries():
    curve = pd.DataFrame({"threshold": [0.1, 0.2, 0.3], "fn": [1, 3, 9], "fp": [50, 20, 5], "cost": [60, 50, 95]})
    assert cost_curve_summary(curve, 0.31) == (
        "Out-of-fold business cost (10 × missed defaults + 1 × refused good clients) at the chosen threshold 0.310: 95 "
        "(9 missed defaults, 5 refused good clients); the curve's minimum is 50 at 0.200."
    )
    sentence, flagged = drift_summary(
        pd.DataFrame(
            {
                "feature": ["A", "B", "C"],
                "kind": ["numeric"] * 3,
                "psi": [0.3, 0.01, 0.15],
                "status": ["drift", "stable", "watch"],
            }
        )
    )
    assert sentence.startswith("3 features and the score compared: 1 in drift, 1 in watch, 1 stable") and flagged[
        "feature"
    ].tolist() == ["A", "C"]
    assert drift_summary(None)[0].startswith("No drift report yet")


def test_a_document_shown_under_the_page_headings_is_demoted():
    assert demoted_headings("# Card\ntext #1\n## Data\n###### Deep", 2) == "### Card\ntext #1\n#### Data\n###### Deep"
