"""The whole default pipeline at Kaggle size: `kedro run --env benchmark` on 307,511 + 48,744 generated
applicants (~58 M history rows), as a data scientist would type it, so the figures are those of the
environment's parameters (conf/base, overridden by conf/benchmark).

Generates the data once under benchmarks/data/01_raw (reused afterwards), runs the pipeline as one
measured process, and prints: wall time and peak resident memory of the whole run, of each pipeline and
of each slow node; the tuning trials completed; the holdout ROC AUC and business cost against the
generator's oracle, for the served model (no protected attribute) and with the protected attribute
(the oracle's inputs), as results.md reports them. Targets: whole run <= 20 min and <= 10 GB; ROC AUC
>= 0.99 x the oracle's and cost <= 1.04 x the oracle's on the oracle's inputs; >= 20 tuning trials.

    python benchmarks/full_scale_run.py [--n-applicants 356255] [--regenerate] [--slow-node-seconds 20]
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict

import pandas as pd
from data_processing_full_scale import (
    KAGGLE_APPLICANTS,
    KEDRO_BENCHMARK_RUN,
    PEAK_MOMENT,
    PROJECT_ROOT,
    ensure_full_scale_data,
    run_measured,
)

REPORTING = PROJECT_ROOT / "benchmarks/data/08_reporting"
WALL_TARGET_MINUTES, MEMORY_TARGET_GB = 20, 10.0
AUC_RATIO_TARGET, COST_RATIO_TARGET, TRIALS_TARGET = 0.99, 1.04, 20
NODE_LINE = re.compile(r"Node (\S+) ran in ([0-9.]+) s(?:, peak RSS ([0-9.]+) GB)?")
PROGRESS_LINE = re.compile(r"Progress: (\S+) · node \d+/\d+ (\S+);")


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def node_table(log: str) -> pd.DataFrame:
    """One row per node: its pipeline (from the progress lines), wall seconds and peak RSS."""
    pipeline_of = {node: pipeline for pipeline, node in PROGRESS_LINE.findall(log)}
    rows = [
        {"node": name, "pipeline": pipeline_of.get(name, "?"), "seconds": float(seconds), "peak_gb": float(peak or "nan")}
        for name, seconds, peak in NODE_LINE.findall(log)
    ]
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-applicants", type=int, default=KAGGLE_APPLICANTS)
    parser.add_argument("--regenerate", action="store_true", help="generate again even if the data exists")
    parser.add_argument("--slow-node-seconds", type=float, default=20.0, help="nodes listed one by one from this wall time")
    options = parser.parse_args()

    ensure_full_scale_data(options.n_applicants, options.regenerate)
    seconds, peak, log = run_measured(KEDRO_BENCHMARK_RUN)
    nodes = node_table(log)

    print(f"\nkedro run --env benchmark ({options.n_applicants:,} applicants)")
    print(f"{'':<44}{'wall s':>9}{'peak RSS GB':>13}")
    print(f"{'whole run':<44}{seconds:>9.1f}{peak:>13.2f}")
    processes = ", ".join(f"{name} {rss:.2f} GB" for _, name, rss in PEAK_MOMENT.get("processes", []))
    print(f"  peak at {PEAK_MOMENT.get('seconds', 0):.0f} s, after: {PEAK_MOMENT.get('last_line', '?')} ({processes})")
    by_pipeline = nodes.groupby("pipeline", sort=False).agg(seconds=("seconds", "sum"), peak_gb=("peak_gb", "max"))
    for pipeline, row in by_pipeline.iterrows():
        print(f"  {pipeline:<42}{row['seconds']:>9.1f}{row['peak_gb']:>13.2f}")
    print(f"  {'start-up, hooks and the rest':<42}{seconds - nodes['seconds'].sum():>9.1f}")
    print(f"slow nodes (>= {options.slow_node_seconds:.0f} s):")
    for _, row in nodes[nodes["seconds"] >= options.slow_node_seconds].iterrows():
        print(f"  {row['node']:<42}{row['seconds']:>9.1f}{row['peak_gb']:>13.2f}")

    trials = pd.read_csv(REPORTING / "tuning_trials.csv")
    complete = int((trials["state"] == "COMPLETE").sum())
    stopped = int(trials.get("stopped_by_budget", pd.Series(dtype=bool)).fillna(False).astype(bool).sum())
    final = json.loads((REPORTING / "final_metrics.json").read_text())
    effect = json.loads((REPORTING / "protected_attribute_effect.json").read_text())
    oracle_auc, oracle_cost = final.get("oracle_roc_auc"), final.get("oracle_business_cost")

    print(f"\ntuning: {complete} trials complete of {len(trials)} ({stopped} stopped by the budget)")
    print(f"{'holdout':<44}{'ROC AUC':>9}{'/ oracle':>10}{'cost':>10}{'/ oracle':>10}")
    for label, figures in (
        ("served model (no protected attribute)", effect["without"]),
        ("with the protected attribute (oracle inputs)", effect["with"]),
    ):
        auc, cost = figures["roc_auc"], figures["business_cost"]
        print(f"{label:<44}{auc:>9.4f}{auc / oracle_auc:>10.3f}{cost:>10,.0f}{cost / oracle_cost:>10.3f}")
    print(f"{'oracle (generator true PD)':<44}{oracle_auc:>9.4f}{'':>10}{oracle_cost:>10,.0f}")
    print(f"expected calibration error (served model): {final['expected_calibration_error']:.4f}")

    with_attribute = effect["with"]
    print("\ntargets:")
    print(f"  whole run {seconds / 60:.1f} min (<= {WALL_TARGET_MINUTES} min): {verdict(seconds <= WALL_TARGET_MINUTES * 60)}")
    print(f"  peak RSS {peak:.2f} GB (<= {MEMORY_TARGET_GB} GB): {verdict(peak <= MEMORY_TARGET_GB)}")
    auc_ratio, cost_ratio = with_attribute["roc_auc"] / oracle_auc, with_attribute["business_cost"] / oracle_cost
    print(f"  ROC AUC / oracle {auc_ratio:.3f} (>= {AUC_RATIO_TARGET}): {verdict(auc_ratio >= AUC_RATIO_TARGET)}")
    print(f"  cost / oracle {cost_ratio:.3f} (<= {COST_RATIO_TARGET}): {verdict(cost_ratio <= COST_RATIO_TARGET)}")
    print(f"  tuning trials {complete} (>= {TRIALS_TARGET}): {verdict(complete >= TRIALS_TARGET)}")
    summary = defaultdict(dict)
    summary["run"] = {"seconds": seconds, "peak_gb": peak}
    summary["nodes"] = nodes.to_dict(orient="records")
    summary["tuning"] = {"complete": complete, "trials": len(trials), "stopped_by_budget": stopped}
    summary["holdout"] = {"final": final, "protected_attribute_effect": effect}
    (PROJECT_ROOT / "benchmarks/full_scale_run.json").write_text(json.dumps(summary, indent=1, default=float))


if __name__ == "__main__":
    main()
