"""Latency and throughput of `bentoml serve` for the default run's model, next to `mlflow models serve`.

Starts the BentoML service (one worker) on a free loopback port and drives it from this process
with aiohttp keep-alive clients: single-row /predict at concurrency 1, 8 and 32, /explain, and
/predict_batch of 100 and 1,000 rows. Prints p50/p99 latency, throughput and errors by status; the
in-process `predict_proba` time for the same rows (overhead ratio) and the service's in-process
path for one applicant (validation -> features in model order -> predict). Then serves the same
model with `mlflow models serve` (the registered `models:/credit_scoring/latest`) as the baseline.

Run after `kedro run` (uses data/05_model_input and the local BentoML and MLflow stores):

    python benchmarks/serving_latency.py [--requests 4000] [--skip-mlflow]

Targets (2 cores, load generator on the same machine): /predict p50 <= 3 ms and p99 <= 15 ms at
concurrency 8 with >= 500 requests/s and no errors; p99 <= 50 ms at 32 (or fast 429s); /explain
p99 <= 25 ms; batch of 1,000 <= 150 ms; in-process single applicant <= 0.5 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import aiohttp
import numpy as np
import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENT = {
    **os.environ,
    "KEDRO_DISABLE_TELEMETRY": "1",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "BENTOML_DO_NOT_TRACK": "true",
    "DO_NOT_TRACK": "true",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(url: str, server: subprocess.Popen, timeout: float = 180) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} not ready after {timeout} s")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def applicants(spec: dict) -> list[dict]:
    """Test applicants of the default run, as clients send them (null for missing)."""
    names = [feature["name"] for feature in spec["features"]]
    frame = pd.read_parquet(PROJECT_ROOT / "data/05_model_input/model_input_test.parquet", columns=names).head(2000)
    frame = frame.astype(object).where(frame.notna(), None)
    return [{name: (value.item() if hasattr(value, "item") else value) for name, value in zip(names, values, strict=True)} for values in frame.itertuples(index=False)]


async def drive(url: str, bodies: list[bytes], concurrency: int, n_requests: int, rate: float | None = None) -> dict:
    """``n_requests`` POSTs spread over ``concurrency`` keep-alive clients; latency of each in ms.

    Without ``rate`` each client sends its next request as soon as the last one is answered (closed
    loop: the server's capacity); with ``rate`` (requests/s, all clients together) request i is sent
    at i / rate, as independent users would, and its latency counts from then (no coordinated omission).
    """
    latencies: list[float] = []
    statuses: Counter = Counter()
    counter = iter(range(n_requests))
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=60)
    headers = {"content-type": "application/json"}
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def client() -> None:
            for index in counter:
                if rate:
                    due = begin + index / rate
                    await asyncio.sleep(max(0.0, due - time.perf_counter()))
                started = time.perf_counter() if not rate else max(due, begin)
                try:
                    async with session.post(url, data=bodies[index % len(bodies)], headers=headers) as response:
                        await response.read()
                        statuses[response.status] += 1
                except (TimeoutError, aiohttp.ClientError) as error:
                    statuses[type(error).__name__] += 1
                latencies.append((time.perf_counter() - started) * 1000)

        gc.collect()
        gc.disable()  # a full collection of this process's heap would be counted as server latency
        begin = time.perf_counter()
        try:
            await asyncio.gather(*(client() for _ in range(concurrency)))
        finally:
            elapsed = time.perf_counter() - begin
            gc.enable()
    ok = statuses.get(200, 0)
    return {
        "concurrency": concurrency,
        "offered_rps": rate,
        "requests": n_requests,
        "p50_ms": float(np.percentile(latencies, 50)),
        "p99_ms": float(np.percentile(latencies, 99)),
        "throughput_rps": n_requests / elapsed,
        "ok": ok,
        "statuses": {str(key): value for key, value in statuses.items()},
    }


def show(name: str, result: dict) -> None:
    offered = f"@{result['offered_rps']:.0f}/s" if result["offered_rps"] else "max"
    print(
        f"{name:<26} {offered:>8} c={result['concurrency']:<3} n={result['requests']:<6} p50 {result['p50_ms']:7.2f} ms  p99 {result['p99_ms']:7.2f} ms  "
        f"{result['throughput_rps']:8.1f} req/s  statuses {result['statuses']}",
        flush=True,
    )


def in_process_figures(rows: list[dict]) -> dict:
    """predict_proba alone for the same rows, and the service's own path for one applicant."""
    os.environ.setdefault("BENTOML_DO_NOT_TRACK", "true")
    sys.path.insert(0, str(PROJECT_ROOT))
    from pydantic import TypeAdapter

    import service
    from pret_a_depenser.scoring.schema import applicant_values

    scorer = service.CreditScorer(service.BUNDLE)
    adapter = TypeAdapter(service.Applicant)
    single_body = json.dumps(rows[0]).encode()
    model_rows = [scorer.row(row) for row in rows[:1000]]

    def timed(function, repeat: int) -> float:
        function()
        started = time.perf_counter()
        for _ in range(repeat):
            function()
        return (time.perf_counter() - started) / repeat * 1000

    return {
        "predict_proba_1_ms": timed(lambda: scorer.probabilities(model_rows[:1]), 2000),
        "predict_proba_100_ms": timed(lambda: scorer.probabilities(model_rows[:100]), 200),
        "predict_proba_1000_ms": timed(lambda: scorer.probabilities(model_rows), 50),
        "service_path_1_ms": timed(lambda: scorer.score([applicant_values(adapter.validate_json(single_body))]), 2000),
        "explain_1_ms": timed(lambda: scorer.explain_row(model_rows[0]), 100),
    }


def bentoml_figures(rows: list[dict], n_requests: int) -> dict:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(Path(sys.executable).parent / "bentoml"), "serve", "service:CreditScoring", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, cwd=PROJECT_ROOT, env=ENVIRONMENT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    results = {}
    try:
        wait_until(f"{url}/readyz", server)
        singles = [json.dumps(row).encode() for row in rows]
        batch_100 = [json.dumps(rows[start : start + 100]).encode() for start in range(0, 1000, 100)]
        batch_1000 = [json.dumps(rows[:1000]).encode()]
        asyncio.run(drive(f"{url}/predict", singles, 8, 500))  # warm-up
        plan = [
            ("predict", "/predict", singles, 1, n_requests // 2, None),
            ("predict", "/predict", singles, 8, n_requests, None),
            ("predict", "/predict", singles, 8, n_requests, 500.0),
            ("predict", "/predict", singles, 32, n_requests, None),
            ("predict", "/predict", singles, 32, n_requests, 500.0),
            ("explain", "/explain", singles, 1, 300, None),
            ("explain", "/explain", singles, 8, 600, 50.0),
            ("predict_batch_100", "/predict_batch", batch_100, 1, 100, None),
            ("predict_batch_1000", "/predict_batch", batch_1000, 1, 30, None),
        ]
        for name, route, bodies, concurrency, count, rate in plan:
            result = asyncio.run(drive(f"{url}{route}", bodies, concurrency, count, rate))
            show(f"bentoml {name}", result)
            results[f"{name}_c{concurrency}" + (f"_at{rate:.0f}" if rate else "")] = result
    finally:
        stop(server)
    return results


def mlflow_figures(rows: list[dict], n_requests: int) -> dict:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {
        **ENVIRONMENT,
        "MLFLOW_TRACKING_URI": f"sqlite:///{PROJECT_ROOT / 'mlflow.db'}",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",  # it execs `uvicorn`
    }
    command = [str(Path(sys.executable).parent / "mlflow"), "models", "serve", "-m", "models:/credit_scoring/latest", "--env-manager", "local", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, cwd=PROJECT_ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    results = {}
    try:
        wait_until(f"{url}/ping", server, timeout=300)
        names = list(rows[0])
        categorical = {name for name in names if any(isinstance(row[name], str) for row in rows[:200])}

        def split(row: dict) -> bytes:
            values = [("MISSING" if row[name] is None else row[name]) if name in categorical else row[name] for name in names]
            return json.dumps({"dataframe_split": {"columns": names, "data": [values]}}).encode()

        singles = [split(row) for row in rows[:500]]
        asyncio.run(drive(f"{url}/invocations", singles, 8, 100))  # warm-up
        for concurrency in (1, 8):
            result = asyncio.run(drive(f"{url}/invocations", singles, concurrency, max(200, n_requests // 10)))
            show("mlflow models serve predict", result)
            results[f"predict_c{concurrency}"] = result
    finally:
        stop(server)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000, help="single-row requests per concurrency level")
    parser.add_argument("--skip-mlflow", action="store_true", help="skip the `mlflow models serve` baseline")
    parser.add_argument("--in-process-only", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    spec = json.loads((PROJECT_ROOT / "data/06_models/serving_spec.json").read_text())
    rows = applicants(spec)
    if arguments.in_process_only:
        print(json.dumps(in_process_figures(rows)))
        return
    # In a child process: the model and its threads stay out of the load generator's process.
    child = subprocess.run([sys.executable, __file__, "--in-process-only"], env=ENVIRONMENT, capture_output=True, text=True, check=True)
    figures = {"in_process": json.loads(child.stdout.strip().splitlines()[-1])}
    for key, value in figures["in_process"].items():
        print(f"in-process {key:<28} {value:8.3f}", flush=True)
    figures["bentoml"] = bentoml_figures(rows, arguments.requests)
    if not arguments.skip_mlflow:
        figures["mlflow"] = mlflow_figures(rows, arguments.requests)
    single = figures["bentoml"]["predict_c1"]["p50_ms"]
    print(f"overhead ratio (HTTP p50 at c=1 / in-process predict_proba of one row): {single / figures['in_process']['predict_proba_1_ms']:.1f}")
    print(f"batch of 1,000: HTTP p50 {figures['bentoml']['predict_batch_1000_c1']['p50_ms']:.1f} ms vs predict_proba {figures['in_process']['predict_proba_1000_ms']:.1f} ms")
    output = PROJECT_ROOT / "benchmarks" / "serving_latency.json"
    output.write_text(json.dumps(figures, indent=2))
    print(f"figures written to {output.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
