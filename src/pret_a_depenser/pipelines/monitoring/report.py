"""The HTML drift report: status table and reference-vs-current distributions, drawn with plotly."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

STATUS_COLOURS = {"drift": "#f4b6b6", "watch": "#fbe3a6", "stable": "#ffffff"}


def _distribution(figure: go.Figure, reference: pd.Series, current: pd.Series, kind: str, row: int) -> None:
    for name, values, colour in (("reference", reference, "#4c78a8"), ("current", current, "#e45756")):
        if kind == "categorical":
            shares = values.astype("string").fillna("<missing>").value_counts(normalize=True)
            figure.add_trace(
                go.Bar(x=shares.index.tolist(), y=shares.to_numpy(), name=name, marker_color=colour, showlegend=row == 1),
                row=row,
                col=1,
            )
        else:
            figure.add_trace(
                go.Histogram(
                    x=values.dropna(),
                    histnorm="probability",
                    name=name,
                    marker_color=colour,
                    opacity=0.6,
                    nbinsx=40,
                    showlegend=row == 1,
                ),
                row=row,
                col=1,
            )


def drift_report(drift_table: pd.DataFrame, reference: pd.DataFrame, current: pd.DataFrame, parameters: dict[str, Any]) -> str:
    """A self-contained HTML page (plotly.js inlined once, no network needed to view it)."""
    counts = drift_table[drift_table["kind"] != "score"]["status"].value_counts()
    table = go.Figure(
        go.Table(
            header={
                "values": ["feature", "kind", "PSI", "status", "test", "statistic", "p-value", "missing (ref)", "missing (cur)"]
            },
            cells={
                "values": [
                    drift_table["feature"],
                    drift_table["kind"],
                    drift_table["psi"].round(4),
                    drift_table["status"],
                    drift_table["test"],
                    drift_table["statistic"].round(4),
                    drift_table["p_value"].map(lambda value: f"{value:.2e}"),
                    drift_table["reference_missing_share"].round(3),
                    drift_table["current_missing_share"].round(3),
                ],
                "fill_color": [[STATUS_COLOURS[status] for status in drift_table["status"]]] * 9,
            },
        )
    )
    table.update_layout(height=min(1200, 120 + 24 * len(drift_table)), margin={"t": 10, "b": 10})
    shown = pd.concat(
        [
            drift_table[drift_table["kind"] == "score"],
            drift_table[(drift_table["kind"] != "score") & (drift_table["status"] != "stable")].head(
                parameters["report_max_features"]
            ),
        ]
    )
    distributions = make_subplots(
        rows=len(shown), cols=1, subplot_titles=[f"{row.feature}: PSI {row.psi:.3f} ({row.status})" for row in shown.itertuples()]
    )
    for position, row in enumerate(shown.itertuples(), start=1):
        _distribution(distributions, reference[row.feature], current[row.feature], row.kind, position)
    distributions.update_layout(height=280 * len(shown), barmode="overlay", margin={"t": 40})
    summary = (
        f"<p>Reference: {len(reference):,} training applicants of the served model. Current: {len(current):,} applicants "
        f"({html.escape(str(parameters['current_source']))}). PSI thresholds: watch at {parameters['psi_watch']}, drift at {parameters['psi_act']}; "
        f"tests at p &lt; {parameters['p_value']}.</p>"
        f"<p><b>{counts.get('drift', 0)}</b> features drifted, <b>{counts.get('watch', 0)}</b> to watch, {counts.get('stable', 0)} stable; "
        f"score PSI {drift_table.loc[drift_table['kind'] == 'score', 'psi'].iloc[0]:.3f}.</p>"
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Drift report: credit_scoring</title></head><body>"
        "<h1>Drift report: credit_scoring</h1>"
        + summary
        + "<h2>Features by PSI</h2>"
        + table.to_html(full_html=False, include_plotlyjs=True)
        + "<h2>Distributions: score and features not stable</h2>"
        + distributions.to_html(full_html=False, include_plotlyjs=False)
        + "</body></html>"
    )
