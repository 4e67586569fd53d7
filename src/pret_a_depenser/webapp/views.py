"""The figures behind the app's pages, as pure functions on frames and plain values (tested alone)."""

from __future__ import annotations

import copy
import itertools
import json
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from pret_a_depenser.constants import DAYS_PER_YEAR, NO_DATE

AGE_BANDS = (18, 30, 40, 50, 60, 200)  # band edges in years: 18-29, 30-39, ..., 60+
N_INCOME_BANDS = 5  # income quintiles of the training applicants
DECISION_WORDS = {  # icon (Material Symbols, shipped with Streamlit), word, meaning: never a colour alone
    "ACCEPTED": (
        ":material/check_circle:",
        "Accepted",
        "The probability of default is below the threshold: the application is accepted.",
    ),
    "REFUSED": (":material/block:", "Refused", "The probability of default reaches the threshold: the application is refused."),
}


def decision_icon(decision: str) -> str:
    return DECISION_WORDS[decision][0]


# ---------------------------------------------------------------- applicant
def decision_sentence(answer: dict[str, Any]) -> str:
    """The decision in words, with its figures: never carried by a colour alone."""
    _, word, meaning = DECISION_WORDS[answer["decision"]]
    return (
        f"**{word}** — probability of default {answer['probability_of_default']:.1%} "
        f"against a threshold of {answer['threshold']:.1%}. {meaning}"
    )


def top_contributions(answer: dict[str, Any], n: int) -> pd.DataFrame:
    """The ``n`` largest SHAP contributions (log-odds of default), largest magnitude first."""
    rows = answer["contributions"][:n]
    frame = pd.DataFrame(
        {
            "feature": [row["feature"] for row in rows],
            "value": [
                "missing"
                if row["value"] is None
                else f"{row['value']:.4g}"
                if isinstance(row["value"], float)
                else str(row["value"])
                for row in rows
            ],
            "contribution": [float(row["contribution"]) for row in rows],
        }
    )
    frame["effect"] = np.where(
        frame["contribution"] > 0, "raises the risk", np.where(frame["contribution"] < 0, "lowers the risk", "none")
    )
    return frame


def age_band(days_birth: float) -> str:
    years = -days_birth / DAYS_PER_YEAR
    for low, high in itertools.pairwise(AGE_BANDS):
        if years < high:
            return f"{low}-{high - 1}" if high < AGE_BANDS[-1] else f"{low}+"
    return f"{AGE_BANDS[-2]}+"


def income_band_edges(incomes: pd.Series) -> np.ndarray:
    """Inner quantile edges of the income bands (quintiles of the reference)."""
    return np.unique(np.nanquantile(incomes.to_numpy(dtype=float), np.linspace(0, 1, N_INCOME_BANDS + 1)[1:-1]))


def income_band(income: float, edges: np.ndarray) -> int:
    """1 (lowest) to N_INCOME_BANDS."""
    return int(np.searchsorted(edges, income, side="right")) + 1


def similar_applicants(reference: pd.DataFrame, days_birth: float, income: float) -> pd.DataFrame:
    """Reference applicants in the same age band and the same income band as the applicant."""
    edges = income_band_edges(reference["AMT_INCOME_TOTAL"])
    ages = reference["DAYS_BIRTH"].map(age_band)
    incomes = np.searchsorted(edges, reference["AMT_INCOME_TOTAL"].to_numpy(dtype=float), side="right") + 1
    return reference[(ages == age_band(days_birth)).to_numpy() & (incomes == income_band(income, edges))]


def outcome_groups(reference: pd.DataFrame, feature: str) -> pd.DataFrame:
    """One row per reference applicant with a value of ``feature``: value and outcome in words."""
    values = reference[[feature, "TARGET"]].dropna()
    return pd.DataFrame({"value": values[feature].to_numpy(), "outcome": np.where(values["TARGET"] == 1, "defaulted", "repaid")})


def position_summary(groups: pd.DataFrame, value: Any) -> str:
    """Where the applicant's value sits among those who repaid and those who defaulted, in words."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "The applicant has no value for this feature."
    if not pd.api.types.is_numeric_dtype(groups["value"]):
        parts = []
        for outcome in ("repaid", "defaulted"):
            values = groups.loc[groups["outcome"] == outcome, "value"]
            if len(values):
                parts.append(f"{(values == value).mean():.0%} of the {len(values):,} who {outcome} share the value {value!r}")
        return "; ".join(parts) + "." if parts else "No reference applicant has a value for this feature."
    parts = []
    for outcome in ("repaid", "defaulted"):
        values = groups.loc[groups["outcome"] == outcome, "value"].to_numpy(dtype=float)
        if len(values):
            parts.append(
                f"above {np.mean(values < float(value)):.0%} of the {len(values):,} who {outcome} (median {np.median(values):.4g})"
            )
    return (
        (f"The applicant's value {float(value):.4g} is " + " and ".join(parts) + ".")
        if parts
        else "No reference applicant has a value for this feature."
    )


def term_months(credit: float, annuity: float) -> float:
    """The credit's term in months if the annuity is paid monthly (no interest): credit / annuity."""
    return credit / annuity if annuity else float("nan")


def what_if_records(records: dict[str, Any], credit: float, annuity: float) -> dict[str, Any]:
    """The applicant's records with another credit amount and annuity; nothing else changes."""
    changed = copy.deepcopy(records)
    changed["application"]["AMT_CREDIT"] = float(credit)
    changed["application"]["AMT_ANNUITY"] = float(annuity)
    return changed


# ---------------------------------------------------------------- decisions (audit log)
def filter_decisions(
    audit: pd.DataFrame, decisions: list[str], endpoints: list[str], days: tuple[date, date] | None
) -> pd.DataFrame:
    """The audit records kept by the page's filters, with their day."""
    if audit.empty:
        return audit
    frame = audit.assign(day=pd.to_datetime(audit["timestamp"], utc=True, format="ISO8601").dt.date)
    kept = frame["decision"].isin(decisions) & frame["endpoint"].isin(endpoints)
    if days is not None:
        kept &= (frame["day"] >= days[0]) & (frame["day"] <= days[1])
    return frame[kept]


def daily_decisions(decisions: pd.DataFrame) -> pd.DataFrame:
    """Per day: decisions, refusals and refusal rate."""
    if decisions.empty:
        return pd.DataFrame(columns=["day", "decisions", "refused", "refusal_rate"])
    daily = decisions.groupby("day").agg(
        decisions=("decision", "size"), refused=("decision", lambda d: int((d == "REFUSED").sum()))
    )
    daily["refusal_rate"] = daily["refused"] / daily["decisions"]
    return daily.reset_index()


def score_summary(decisions: pd.DataFrame) -> str:
    if decisions.empty:
        return "No decision matches the filters."
    scores = decisions["probability_of_default"]
    return (
        f"{len(scores):,} decisions: probability of default median {scores.median():.1%}, "
        f"10th percentile {scores.quantile(0.1):.1%}, 90th percentile {scores.quantile(0.9):.1%}; "
        f"{(decisions['decision'] == 'REFUSED').mean():.1%} refused."
    )


def latest_decisions(decisions: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` latest decisions, newest first, with their reasons in words."""
    columns = ["timestamp", "applicant_id", "endpoint", "decision", "probability_of_default", "reasons"]
    if decisions.empty:
        return pd.DataFrame(columns=columns)
    latest = decisions.sort_values("id", ascending=False).head(n).copy()
    if "applicant_id" not in latest:
        latest["applicant_id"] = None
    latest["reasons"] = latest["reasons"].map(
        lambda text: "; ".join(reason["text"] for reason in json.loads(text)) if text else ""
    )
    return latest[columns]


# ---------------------------------------------------------------- model
def cost_curve_summary(curve: pd.DataFrame, threshold: float) -> str:
    best = curve.loc[curve["cost"].idxmin()]
    at_threshold = curve.iloc[(curve["threshold"] - threshold).abs().argmin()]
    return (
        f"Out-of-fold business cost (10 × missed defaults + 1 × refused good clients) at the chosen threshold {threshold:.3f}: "
        f"{at_threshold['cost']:,.0f} ({at_threshold['fn']:,.0f} missed defaults, {at_threshold['fp']:,.0f} refused good clients); "
        f"the curve's minimum is {best['cost']:,.0f} at {best['threshold']:.3f}."
    )


def drift_summary(drift: pd.DataFrame | None) -> tuple[str, pd.DataFrame]:
    """A sentence and the features in watch or drift, most shifted first."""
    if drift is None or drift.empty:
        return (
            "No drift report yet: run `kedro run --pipelines monitoring` once the service has logged decisions.",
            pd.DataFrame(),
        )
    counts = drift["status"].value_counts()
    flagged = drift[drift["status"].isin(["watch", "drift"])].sort_values("psi", ascending=False)
    sentence = (
        f"{len(drift):,} features and the score compared: {counts.get('drift', 0)} in drift, "
        f"{counts.get('watch', 0)} in watch, {counts.get('stable', 0)} stable (population stability index)."
    )
    return sentence, flagged[["feature", "kind", "psi", "status"]]


# ---------------------------------------------------------------- blank application form
FORM_DEFAULTS = {  # the form's starting values: a median-looking applicant
    "SK_ID_CURR": 900001,
    "age_years": 40,
    "years_employed": 5.0,
    "employed": True,
    "years_since_id_published": 8.0,
    "CNT_CHILDREN": 0,
    "AMT_INCOME_TOTAL": 150_000.0,
    "AMT_CREDIT": 500_000.0,
    "AMT_ANNUITY": 25_000.0,
    "AMT_GOODS_PRICE": 450_000.0,
    "NAME_CONTRACT_TYPE": "Cash loans",
    "REGION_RATING_CLIENT": 2,
    "EXT_SOURCE_1": None,
    "EXT_SOURCE_2": 0.5,
    "EXT_SOURCE_3": 0.5,
}
OTHER_REQUIRED_VALUES = {  # the application's other complete columns, as most applicants have them
    "FLAG_MOBIL": 1,
    "FLAG_CONT_MOBILE": 1,
    "FLAG_WORK_PHONE": 0,
    "FLAG_PHONE": 0,
    "FLAG_EMAIL": 0,
    "HOUR_APPR_PROCESS_START": 12,
    "REG_REGION_NOT_LIVE_REGION": 0,
    "REG_REGION_NOT_WORK_REGION": 0,
    "LIVE_REGION_NOT_WORK_REGION": 0,
    "REG_CITY_NOT_LIVE_CITY": 0,
    "REG_CITY_NOT_WORK_CITY": 0,
    "LIVE_CITY_NOT_WORK_CITY": 0,
    **{f"FLAG_DOCUMENT_{number}": int(number == 3) for number in range(2, 22)},
}


def blank_application(form: dict[str, Any]) -> dict[str, Any]:
    """The records of an applicant with no credit history, from the form's values (None = not given)."""
    application = {
        "SK_ID_CURR": int(form["SK_ID_CURR"]),
        "DAYS_BIRTH": -round(float(form["age_years"]) * DAYS_PER_YEAR),
        "DAYS_EMPLOYED": -round(float(form["years_employed"]) * DAYS_PER_YEAR) if form["employed"] else NO_DATE,
        "DAYS_ID_PUBLISH": -round(float(form["years_since_id_published"]) * DAYS_PER_YEAR),
        "FLAG_EMP_PHONE": int(bool(form["employed"])),
        "REGION_RATING_CLIENT_W_CITY": int(form["REGION_RATING_CLIENT"]),
        **OTHER_REQUIRED_VALUES,
    }
    for name in ("CNT_CHILDREN", "REGION_RATING_CLIENT"):
        application[name] = int(form[name])
    for name in (
        "AMT_INCOME_TOTAL",
        "AMT_CREDIT",
        "AMT_ANNUITY",
        "AMT_GOODS_PRICE",
        "EXT_SOURCE_1",
        "EXT_SOURCE_2",
        "EXT_SOURCE_3",
    ):
        application[name] = None if form.get(name) is None else float(form[name])
    application["NAME_CONTRACT_TYPE"] = form["NAME_CONTRACT_TYPE"]
    return {"application": application}


def demoted_headings(markdown: str, levels: int) -> str:
    """Markdown with every heading ``levels`` deeper (at most h6): a document shown under a page's h2
    keeps the page's heading order."""
    lines = []
    for line in markdown.splitlines():
        stripped = line.lstrip("#")
        depth = len(line) - len(stripped)
        lines.append("#" * min(depth + levels, 6) + stripped if depth and stripped.startswith(" ") else line)
    return "\n".join(lines)
