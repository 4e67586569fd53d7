"""Full Kaggle-scale benchmark of generate_data and data_processing: wall time and peak RSS.

Generates 307,511 + 48,744 applicants (~58 M secondary rows) once under benchmarks/data/01_raw
(`--env benchmark`), then runs the data_processing pipeline on them, each as its own `kedro run`
process whose whole process tree is sampled for resident memory. Targets: < 10 min, < 12 GB.

    python benchmarks/data_processing_full_scale.py [--n-applicants 356255] [--regenerate]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RAW_DIR = PROJECT_ROOT / "benchmarks/data/01_raw"
KAGGLE_APPLICANTS = 307_511 + 48_744
ENVIRONMENT = {
    **os.environ,
    "KEDRO_DISABLE_TELEMETRY": "1",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "BENTOML_DO_NOT_TRACK": "true",
    "DO_NOT_TRACK": "true",
}


def run_measured(arguments: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (GB, process tree summed) of one command."""
    started = time.perf_counter()
    process = subprocess.Popen(arguments, cwd=PROJECT_ROOT, env=ENVIRONMENT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    root, peak = psutil.Process(process.pid), 0
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(member.memory_info().rss for member in tree))
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.1)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"{' '.join(arguments)} failed:\n{process.stderr.read()[-4000:]}")
    return elapsed, peak / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-applicants", type=int, default=KAGGLE_APPLICANTS)
    parser.add_argument("--regenerate", action="store_true", help="generate again even if the data exists")
    options = parser.parse_args()
    kedro = [sys.executable, "-m", "kedro", "run", "--env", "benchmark"]

    manifest = RAW_DIR / "generator_manifest.json"
    if options.regenerate or not manifest.exists():
        if options.regenerate:
            for path in RAW_DIR.glob("*"):
                path.unlink()
        params = f"generate_data.n_applicants={options.n_applicants},generate_data.progress=false"
        seconds, peak = run_measured([*kedro, "--pipeline", "generate_data", "--params", params])
        print(f"generate_data     {options.n_applicants:>9,} applicants  wall {seconds:7.1f} s  peak RSS {peak:5.2f} GB")
    sizes = json.loads(manifest.read_text())["generated_files"]
    print(f"raw CSV files     {sum(sizes.values()) / 1e9:.2f} GB in {RAW_DIR.relative_to(PROJECT_ROOT)}")

    seconds, peak = run_measured([*kedro, "--pipeline", "data_processing"])
    import pyarrow.parquet as pq

    model_input = PROJECT_ROOT / "benchmarks/data/05_model_input"
    train = pq.ParquetFile(model_input / "model_input_train.parquet").metadata
    test = pq.ParquetFile(model_input / "model_input_test.parquet").metadata
    print(f"data_processing   wall {seconds:7.1f} s  peak RSS {peak:5.2f} GB  (targets: < 600 s, < 12 GB)")
    print(f"model input       train {train.num_rows:,} x {train.num_columns} columns, test {test.num_rows:,} x {test.num_columns}")
    rows = {path.stem: sum(1 for _ in path.open("rb")) - 1 for path in sorted(RAW_DIR.glob("*.csv"))}
    print("raw rows          " + ", ".join(f"{name} {count:,}" for name, count in rows.items()))


if __name__ == "__main__":
    main()
