"""Full Kaggle-scale benchmark of data_processing against a plain pandas feature build.

Generates 307,511 + 48,744 applicants (~58 M secondary rows) once under benchmarks/data/01_raw
(`--env benchmark`), then, on the same files in the same run, times
- `kedro run --pipelines data_processing` (reading, validation, feature spec fit, transforms, parquet
  writing) and the wall time of each of its nodes;
- the reference build (`--reference`, default `../shared/benchmarks/reference_features.py`): pandas
  one-hot + group-by min/max/mean/sum/var per table, the approach of the public "simple features" kernels.
Each runs as its own process whose whole process tree is sampled for resident memory.
Targets: data_processing at least 1.5x faster than the reference, peak RSS <= 8 GB.

    python benchmarks/data_processing_full_scale.py [--n-applicants 356255] [--regenerate] [--reference PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RAW_DIR = PROJECT_ROOT / "benchmarks/data/01_raw"
KAGGLE_APPLICANTS = 307_511 + 48_744
SPEEDUP_TARGET, MEMORY_TARGET_GB = 1.5, 8.0
ENVIRONMENT = {
    **os.environ,
    "KEDRO_DISABLE_TELEMETRY": "1",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "BENTOML_DO_NOT_TRACK": "true",
    "DO_NOT_TRACK": "true",
    "COLUMNS": "400",  # one log line per record, so node timings can be read back
}
NODE_TIME = re.compile(r"Node (\S+) ran in ([0-9.]+) s")
DATASET_TIME = re.compile(r"Dataset (\S+) (loaded|saved) in ([0-9.]+) s")


def run_measured(arguments: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak resident memory (GB, process tree summed) and stderr of one command.

    Where the peak happened is kept in ``PEAK_MOMENT``: seconds into the run, the last node, dataset or
    progress line logged before it, and the resident memory of each process of the tree then."""
    started = time.perf_counter()
    with (
        tempfile.TemporaryFile("w+") as log,
        subprocess.Popen(
            arguments, cwd=PROJECT_ROOT, env=ENVIRONMENT, stdout=log, stderr=subprocess.STDOUT, text=True
        ) as process,
    ):
        # the log goes to a file: a pipe read only at the end blocks the run once it holds 64 KB
        root, peak = psutil.Process(process.pid), 0
        while process.poll() is None:
            try:
                members = [root, *root.children(recursive=True)]
                resident = [(member, member.memory_info().rss) for member in members]
            except psutil.NoSuchProcess:
                resident = []
            total = sum(rss for _, rss in resident)
            if total > peak:
                peak = total
                PEAK_MOMENT.update(
                    seconds=time.perf_counter() - started,
                    last_line=_last_log_line(f"/proc/self/fd/{log.fileno()}"),
                    processes=[(member.pid, member.name(), rss / 1e9) for member, rss in resident if rss > 1e8],
                )
            time.sleep(0.05)
        log.seek(0)
        stderr = log.read()
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        sys.exit(f"{' '.join(arguments)} failed:\n{stderr[-4000:]}")
    return elapsed, peak / 1e9, stderr


PEAK_MOMENT: dict = {}
LOGGED_STEP = re.compile(r"(Node \S+ ran in [^ ]+ s|Dataset \S+ (?:loaded|saved) in [^ ]+ s|Progress: [^;]+)")


def _last_log_line(path: str, tail: int = 16384) -> str:
    """The last node, dataset or progress line the run has logged so far."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - tail))
            found = LOGGED_STEP.findall(handle.read().decode(errors="replace"))
    except OSError:
        return ""
    return found[-1] if found else ""


KEDRO_BENCHMARK_RUN = [sys.executable, "-m", "kedro", "run", "--env", "benchmark"]


def ensure_full_scale_data(n_applicants: int, regenerate: bool) -> None:
    """Generates the benchmark's raw files under benchmarks/data/01_raw unless they are there."""
    manifest = RAW_DIR / "generator_manifest.json"
    if regenerate or not manifest.exists():
        for path in RAW_DIR.glob("*") if regenerate else ():
            path.unlink()
        params = f"generate_data.n_applicants={n_applicants},generate_data.progress=false"
        seconds, peak, _ = run_measured([*KEDRO_BENCHMARK_RUN, "--pipelines", "generate_data", "--params", params])
        print(f"generate_data     {n_applicants:>9,} applicants  wall {seconds:7.1f} s  peak RSS {peak:5.2f} GB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-applicants", type=int, default=KAGGLE_APPLICANTS)
    parser.add_argument("--regenerate", action="store_true", help="generate again even if the data exists")
    parser.add_argument("--reference", type=Path, default=PROJECT_ROOT.parent / "shared/benchmarks/reference_features.py")
    options = parser.parse_args()
    ensure_full_scale_data(options.n_applicants, options.regenerate)
    sizes = json.loads((RAW_DIR / "generator_manifest.json").read_text())["generated_files"]
    rows = {
        path.stem: sum(1 for _ in path.open("rb")) - 1 for path in sorted(RAW_DIR.glob("*.csv")) if path.stem != "generator_truth"
    }
    print(
        f"raw CSV files     {sum(sizes.values()) / 1e9:.2f} GB, {sum(rows.values()):,} rows in {RAW_DIR.relative_to(PROJECT_ROOT)}"
    )
    print("                  " + ", ".join(f"{name} {count:,}" for name, count in rows.items()))

    ours, ours_peak, log = run_measured([*KEDRO_BENCHMARK_RUN, "--pipelines", "data_processing"])
    if options.reference.exists():
        reference, reference_peak, _ = run_measured([sys.executable, str(options.reference), str(RAW_DIR)])
    else:
        reference = reference_peak = float("nan")
        print(f"reference build not found at {options.reference}: only data_processing is timed")

    import pyarrow.parquet as pq

    model_input = PROJECT_ROOT / "benchmarks/data/05_model_input"
    train = pq.ParquetFile(model_input / "model_input_train.parquet").metadata
    test = pq.ParquetFile(model_input / "model_input_test.parquet").metadata
    speedup = reference / ours
    print()
    print(f"{'build':<40}{'wall s':>9}{'peak RSS GB':>13}")
    print(f"{'kedro run --pipelines data_processing':<40}{ours:>9.1f}{ours_peak:>13.2f}")
    print(f"{'reference (pandas, simple features)':<40}{reference:>9.1f}{reference_peak:>13.2f}")
    print(
        f"speed-up {speedup:.2f}x (target >= {SPEEDUP_TARGET}x): {'met' if speedup >= SPEEDUP_TARGET else 'NOT met'}; "
        f"peak RSS {ours_peak:.2f} GB (target <= {MEMORY_TARGET_GB} GB): {'met' if ours_peak <= MEMORY_TARGET_GB else 'NOT met'}"
    )
    print(
        f"model input       train {train.num_rows:,} x {train.num_columns} columns, test {test.num_rows:,} x {test.num_columns}"
    )
    print()
    print("data_processing per node (wall s; the rest of the process is start-up, loading and saving):")
    nodes = [(name, float(seconds)) for name, seconds in NODE_TIME.findall(log)]
    for name, seconds in nodes:
        print(f"  {name:<40}{seconds:>8.2f}")
    datasets = [(f"{name} ({action})", float(seconds)) for name, action, seconds in DATASET_TIME.findall(log)]
    print("data_processing dataset loads and saves (wall s):")
    for name, seconds in datasets:
        print(f"  {name:<40}{seconds:>8.2f}")
    accounted = sum(seconds for _, seconds in nodes + datasets)
    print(f"  {'start-up, hooks and the rest':<40}{ours - accounted:>8.2f}")


if __name__ == "__main__":
    main()
