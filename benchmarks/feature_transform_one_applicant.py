"""In-process cost of transforming one applicant's raw records into their feature row.

Builds one applicant with a median Kaggle history (5 bureau credits with 16 months each, 5 previous
applications, 30 POS months, 40 instalments, 10 card months) from generated rows, fits the feature spec on
a generated sample (or reads `--spec`, e.g. data/04_feature/feature_spec.json), then times
`build_features` on that applicant alone. Target: p50 <= 5 ms (the service runs it on every request).

    python benchmarks/feature_transform_one_applicant.py [--repeats 500] [--spec PATH]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import polars as pl
import yaml

from pret_a_depenser.features import TABLE_FILES, build_features, fit_feature_spec, transform
from pret_a_depenser.generator import generate_home_credit
from pret_a_depenser.pipelines.data_processing.nodes import validate_table

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MEDIAN_HISTORY = {
    "bureau": 5,
    "months_per_credit": 16,
    "previous_application": 5,
    "POS_CASH_balance": 30,
    "installments_payments": 40,
    "credit_card_balance": 10,
}
TARGET_P50_MS = 5.0


def median_applicant(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """One application with the median history, assembled from the generated rows of several applicants."""
    application = tables["application_test"].head(1)
    sk_id_curr = application["SK_ID_CURR"][0]
    credits = tables["bureau_balance"].group_by("SK_ID_BUREAU").len().filter(pl.col("len") >= MEDIAN_HISTORY["months_per_credit"])
    bureau = (
        tables["bureau"].filter(pl.col("SK_ID_BUREAU").is_in(credits["SK_ID_BUREAU"].implode())).head(MEDIAN_HISTORY["bureau"])
    )
    balance = tables["bureau_balance"].filter(pl.col("SK_ID_BUREAU").is_in(bureau["SK_ID_BUREAU"].implode()))
    balance = balance.group_by("SK_ID_BUREAU", maintain_order=True).head(MEDIAN_HISTORY["months_per_credit"])
    own = {"application": application, "bureau": bureau, "bureau_balance": balance}
    for name in ("previous_application", "POS_CASH_balance", "installments_payments", "credit_card_balance"):
        own[name] = tables[name].head(MEDIAN_HISTORY[name])
    return {
        name: frame.with_columns(pl.lit(sk_id_curr, dtype=pl.Int64).alias("SK_ID_CURR"))
        if "SK_ID_CURR" in frame.columns
        else frame
        for name, frame in own.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=500)
    parser.add_argument("--spec", type=Path, help="a fitted feature_spec.json (default: fit one on 5,000 generated applicants)")
    options = parser.parse_args()
    generated = generate_home_credit(n_applicants=5000, seed=21, chunk_size=5000, progress=False)
    tables = {
        name: validate_table(pl.from_pandas(frame), f"{name}.csv")
        for name, frame in generated.items()
        if name != "generator_truth"
    }
    if options.spec:
        spec = json.loads(options.spec.read_text())
    else:
        parameters = yaml.safe_load((PROJECT_ROOT / "conf/base/parameters_data_processing.yml").read_text())["data_processing"][
            "features"
        ]
        spec = fit_feature_spec(
            tables["application_train"],
            tables["bureau"],
            tables["bureau_balance"],
            tables["previous_application"],
            tables["POS_CASH_balance"],
            tables["credit_card_balance"],
            parameters,
        )
    applicant = median_applicant(tables)
    rows = {name: frame.height for name, frame in applicant.items() if name in TABLE_FILES}
    numeric = [column["name"] for column in spec["columns"] if column["dtype"] != "String" and column["name"] != "SK_ID_CURR"]
    steps = {
        "transform (feature rows, what scoring uses)": lambda: transform(applicant, spec),
        "transform + matrix of every numeric feature": lambda: transform(applicant, spec).matrix(numeric),
        "build_features (a 1-row polars frame)": lambda: build_features(applicant, spec),
    }
    features = build_features(applicant, spec)
    print(f"one applicant: {', '.join(f'{name} {count}' for name, count in rows.items())} rows -> {features.width} features")
    for label, step in steps.items():
        for _ in range(20):  # warm-up: compiled kernels loaded, caches filled
            step()
        timings = []
        for _ in range(options.repeats):
            started = time.perf_counter()
            step()
            timings.append((time.perf_counter() - started) * 1000)
        p50, p90, p99 = np.percentile(timings, [50, 90, 99])
        verdict = (
            f" (target p50 <= {TARGET_P50_MS} ms: {'met' if p50 <= TARGET_P50_MS else 'NOT met'})"
            if label.startswith("transform (")
            else ""
        )
        print(f"{label:<46} {options.repeats} runs: p50 {p50:6.2f} ms, p90 {p90:6.2f} ms, p99 {p99:6.2f} ms{verdict}")


if __name__ == "__main__":
    main()
