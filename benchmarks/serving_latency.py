"""Latency and throughput of `bentoml serve` for the default run's model, on raw Kaggle-format records.

Starts the BentoML service with its default settings (one worker per CPU) on a free loopback port
and drives it from this process with aiohttp keep-alive clients. Requests are applicants with a median
Kaggle history (5 bureau credits of 16 months each, 5 previous applications, 30 POS months, 40
instalments, 10 card months): each is a test applicant's application with history rows drawn from the
raw files and relinked to it. Prints p50/p99 latency, throughput and errors by status for the
feature-vector route and raw /predict saturated (8 clients, closed loop), /predict at half its saturated
rate offered by 8 clients (open loop), /explain saturated, /predict_batch of 1,000 applicants; the
in-process cost of each step for one applicant (parse, validate, tables, features, model, audit); then
`mlflow models serve` of the registered pyfunc on the same records as a baseline.

Run after `kedro run` (uses data/01_raw, data/05_model_input and the local BentoML and MLflow stores):

    python benchmarks/serving_latency.py [--requests 4000] [--skip-mlflow]

Targets (2 cores, load generator on the same machine, every figure from one sitting so the ratios
hold): raw /predict saturated >= 50 % of /predict_features saturated; in process, records -> decision
(validation included) <= 10x CatBoost's predict_proba of the same row; /predict at half its saturated
rate from 8 clients p99 <= 25 ms; /explain saturated >= 25 % of raw /predict saturated; /predict_batch
of 1,000 raw applicants p50 <= 1 s; the feature-vector route no slower than the baseline given with
--features-baseline (req/s, saturated, measured in the same sitting).
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
import polars as pl

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENT = {
    **os.environ,
    "KEDRO_DISABLE_TELEMETRY": "1",
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "BENTOML_DO_NOT_TRACK": "true",
    "DO_NOT_TRACK": "true",
}
# Rows per applicant of a median Kaggle history (../shared/DATA.md): table -> (rows, rows per parent credit).
MEDIAN_HISTORY = {
    "bureau": 5,
    "bureau_balance": 16,
    "previous_application": 5,
    "POS_CASH_balance": 30,
    "installments_payments": 40,
    "credit_card_balance": 10,
}
SEED = 42
SATURATED_REPEATS = 3


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


def raw_tables() -> dict[str, pl.DataFrame]:
    from pret_a_depenser.datasets import RawTableDataset
    from pret_a_depenser.scoring.records import REQUEST_TABLES

    raw = PROJECT_ROOT / "data" / "01_raw"
    return {name: RawTableDataset(filepath=str(raw / file_name)).load() for name, file_name in REQUEST_TABLES.items()}


def median_history_requests(tables: dict[str, pl.DataFrame], count: int) -> list[dict]:
    """``count`` requests: test applicants' applications, each with a median history drawn from the files."""
    from pret_a_depenser.scoring.records import applicant_records

    rng = np.random.default_rng(SEED)
    applications = tables["application"]["SK_ID_CURR"].to_list()[:count]
    plain = applicant_records({"application": tables["application"]}, applications)
    rows = {name: applicant_records_rows(tables[name]) for name in MEDIAN_HISTORY}
    requests = []
    for record in plain:
        credits = [
            dict(rows["bureau"][i], SK_ID_BUREAU=number)
            for number, i in enumerate(rng.integers(len(rows["bureau"]), size=5), start=1)
        ]
        months = [
            dict(rows["bureau_balance"][i], SK_ID_BUREAU=credit, MONTHS_BALANCE=-month)
            for credit in range(1, 6)
            for month, i in enumerate(rng.integers(len(rows["bureau_balance"]), size=MEDIAN_HISTORY["bureau_balance"]))
        ]
        previous = [
            dict(rows["previous_application"][i], SK_ID_PREV=number)
            for number, i in enumerate(rng.integers(len(rows["previous_application"]), size=5), start=1)
        ]

        def monthly(table: str, parents: int) -> list[dict]:
            picked = rng.integers(len(rows[table]), size=MEDIAN_HISTORY[table])
            return [
                dict(rows[table][i], SK_ID_PREV=1 + n % parents, MONTHS_BALANCE=-1 - n // parents)
                if "MONTHS_BALANCE" in rows[table][i]
                else dict(rows[table][i], SK_ID_PREV=1 + n % parents, NUM_INSTALMENT_NUMBER=1 + n // parents)
                for n, i in enumerate(picked)
            ]

        requests.append(
            {
                "application": record["application"],
                "bureau": credits,
                "bureau_balance": months,
                "previous_application": previous,
                "POS_CASH_balance": monthly("POS_CASH_balance", 5),
                "installments_payments": monthly("installments_payments", 5),
                "credit_card_balance": monthly("credit_card_balance", 1),
            }
        )
    return requests


def applicant_records_rows(frame: pl.DataFrame, sample: int = 5000) -> list[dict]:
    """Some rows of a file as request rows (no SK_ID_CURR)."""
    from pret_a_depenser.scoring.records import json_rows

    return json_rows(frame.drop("SK_ID_CURR", strict=False).head(sample))


def feature_vectors(model) -> list[dict]:
    """Test applicants' kept features, as the feature-vector route takes them (null for missing)."""
    frame = pd.read_parquet(PROJECT_ROOT / "data/05_model_input/model_input_test.parquet", columns=model.features).head(2000)
    frame = frame.astype(object).where(frame.notna(), None)
    return [
        {name: (value.item() if hasattr(value, "item") else value) for name, value in zip(model.features, values, strict=True)}
        for values in frame.itertuples(index=False)
    ]


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


def in_process_figures(requests: list[dict]) -> dict:
    """Each step of one /predict in process: decode (parse and validate in one pass, as the service
    does; pydantic's validation of the parsed body beside it), records to tables, features (the
    model's plan), model (CatBoost, then the decision rule), audit record (until committed); and the
    whole. And a 1,000-applicant batch body: decoded, then to decisions."""
    import tempfile

    import orjson
    from pydantic import TypeAdapter

    from pret_a_depenser.features import transform
    from pret_a_depenser.scoring import ApplicantRecords, applicant_columns
    from pret_a_depenser.scoring.audit import DecisionAuditLog
    from pret_a_depenser.scoring.records import applicant_batch_decoder, decode_applicant

    model = served_model()
    adapter = TypeAdapter(ApplicantRecords)
    body = json.dumps(requests[0]).encode()
    applicant = decode_applicant(body)
    tables = applicant_columns([applicant], model.application_columns)  # as a request builds them
    all_tables = applicant_columns([applicant])  # every application column, for the full transform
    inputs = model.inputs_from_records([applicant])
    decisions = model.score_inputs(inputs)
    batch_body = json.dumps(requests[:1000]).encode()
    decode_batch = applicant_batch_decoder(1000)
    batch = decode_batch(batch_body)
    audit = DecisionAuditLog(Path(tempfile.mkdtemp()) / "decisions.sqlite", 183, model.tag, None)

    def audited() -> None:
        features = [model.feature_values(inputs, 0)]
        audit.record("benchmark", "predict", features, decisions, 1.0).result(timeout=10)

    def timed(function, repeat: int, blocks: int = 5) -> float:
        """Milliseconds per call: the median of ``blocks`` timings of ``repeat / blocks`` calls (a noisy
        machine's pauses land in one block, not in the figure)."""
        function()
        calls = max(repeat // blocks, 1)
        timings = []
        for _ in range(blocks):
            started = time.perf_counter()
            for _ in range(calls):
                function()
            timings.append((time.perf_counter() - started) / calls * 1000)
        return float(np.median(timings))

    parsed = orjson.loads(body)
    figures = {
        "parse_1_ms": timed(lambda: orjson.loads(body), 2000),
        "pydantic_validate_1_ms": timed(lambda: adapter.validate_python(parsed), 1000),
        "decode_1_ms": timed(lambda: decode_applicant(body), 2000),
        "records_to_tables_1_ms": timed(lambda: applicant_columns([applicant], model.application_columns), 500),
        "features_1_ms": timed(lambda: model.inputs_from_tables(tables), 500),
        "features_all_columns_1_ms": timed(lambda: transform(all_tables, model.feature_spec), 500),
        "catboost_predict_proba_1_ms": timed(lambda: model.raw_scores(inputs), 2000),
        "model_and_rule_1_ms": timed(lambda: model.score_inputs(inputs), 2000),
        "audit_record_1_ms": timed(audited, 300),
        "records_to_decision_1_ms": timed(lambda: model.score([decode_applicant(body)]), 500),
        "explain_records_1_ms": timed(lambda: model.explain([applicant]), 200),
        "decode_1000_ms": timed(lambda: decode_batch(batch_body), 5),
        "score_records_1000_ms": timed(lambda: model.score(batch), 5),
        "planned_columns": len(model.planned_spec["plan"]["columns"]),
        "model_trees": model.model.tree_count_,
        "spec_columns": len(model.feature_spec["columns"]),
    }
    audit.close()
    return figures


def served_model():
    """The model the service loads: ``CREDIT_SCORING_BENTO_MODEL`` (``--model``), by default the latest."""
    import bentoml

    from pret_a_depenser.scoring import read_model_directory

    stored = bentoml.models.get(ENVIRONMENT.get("CREDIT_SCORING_BENTO_MODEL", "credit_scoring:latest"))
    return read_model_directory(Path(stored.path), str(stored.tag), "bentoml")


def bentoml_figures(requests: list[dict], vectors: list[dict], n_requests: int) -> dict:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        str(Path(sys.executable).parent / "bentoml"),
        "serve",
        "service:CreditScoring",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    server = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=ENVIRONMENT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    results = {}
    try:
        wait_until(f"{url}/readyz", server)
        singles = [json.dumps(request).encode() for request in requests]
        batch_1000 = [json.dumps(requests[:1000]).encode()]
        vector_bodies = [json.dumps(vector).encode() for vector in vectors]
        asyncio.run(drive(f"{url}/predict", singles, 8, 500))  # warm-up
        asyncio.run(drive(f"{url}/predict_features", vector_bodies, 8, 500))
        plan = [  # the feature-vector route first: later runs leave the audit writer thousands of records to commit
            ("predict_features", "/predict_features", vector_bodies, 8, n_requests, None),
            ("predict", "/predict", singles, 1, n_requests // 4, None),
            ("predict", "/predict", singles, 8, n_requests, None),
            ("predict_half_rate", "/predict", singles, 8, n_requests, "half"),
            ("explain", "/explain", singles, 8, n_requests // 4, None),
            ("predict_batch_1000", "/predict_batch", batch_1000, 1, 10, None),
        ]
        for name, route, bodies, concurrency, count, rate in plan:
            if rate == "half":  # half the raw route's saturated rate, as independent users would offer it
                rate = results["predict_c8"]["throughput_rps"] / 2
            # Workers share one listening socket and the first one awake accepts a whole burst of new
            # connections, so one closed-loop run may keep every client on one worker: saturated runs
            # are repeated on new connections and the median kept.
            repeats = SATURATED_REPEATS if rate is None and concurrency > 1 else 1
            runs = []
            for _ in range(repeats):
                runs.append(asyncio.run(drive(f"{url}{route}", bodies, concurrency, count, rate)))
                show(f"bentoml {name}", runs[-1])
            result = sorted(runs, key=lambda run: run["throughput_rps"])[len(runs) // 2]
            results[f"{name}_c{concurrency}"] = {**result, "runs_rps": [run["throughput_rps"] for run in runs]}
    finally:
        stop(server)
    return results


def mlflow_figures(requests: list[dict], n_requests: int) -> dict:
    """`mlflow models serve` of the registered pyfunc: the same records, one applicant per request."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {
        **ENVIRONMENT,
        "MLFLOW_TRACKING_URI": f"sqlite:///{PROJECT_ROOT / 'mlflow.db'}",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",  # it execs `uvicorn`
    }
    command = [
        str(Path(sys.executable).parent / "mlflow"),
        "models",
        "serve",
        "-m",
        "models:/credit_scoring/latest",
        "--env-manager",
        "local",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    server = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    results = {}
    try:
        wait_until(f"{url}/ping", server, timeout=300)
        singles = [json.dumps({"inputs": [request]}).encode() for request in requests[:500]]
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
    parser.add_argument("--requests", type=int, default=4000, help="requests per open-loop run")
    parser.add_argument("--skip-mlflow", action="store_true", help="skip the `mlflow models serve` baseline")
    parser.add_argument(
        "--features-baseline", type=float, default=None, help="saturated /predict_features req/s of the baseline (same sitting)"
    )
    parser.add_argument(
        "--http-only", action="store_true", help="only the service's figures (e.g. to measure a baseline's feature-vector route)"
    )
    parser.add_argument("--model", default=None, help="BentoML model tag to serve and time (default: credit_scoring:latest)")
    parser.add_argument("--in-process-only", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.model:
        ENVIRONMENT["CREDIT_SCORING_BENTO_MODEL"] = arguments.model

    sys.path.insert(0, str(PROJECT_ROOT))
    tables = raw_tables()
    requests = median_history_requests(tables, 1000)
    if arguments.in_process_only:
        print(json.dumps(in_process_figures(requests)))
        return
    figures = {}
    if not arguments.http_only:  # in a child process: the model and its threads stay out of the load generator's process
        child = subprocess.run(
            [sys.executable, __file__, "--in-process-only", *(["--model", arguments.model] if arguments.model else [])],
            env=ENVIRONMENT,
            capture_output=True,
            text=True,
            check=True,
        )
        figures["in_process"] = json.loads(child.stdout.strip().splitlines()[-1])
        for key, value in figures["in_process"].items():
            print(f"in-process {key:<28} {value:8.3f}", flush=True)
    figures["bentoml"] = bentoml_figures(requests, feature_vectors(served_model()), arguments.requests)
    if not arguments.skip_mlflow:
        figures["mlflow"] = mlflow_figures(requests, arguments.requests)
    if arguments.http_only:
        return
    bento, local = figures["bentoml"], figures["in_process"]
    raw, vectors = bento["predict_c8"]["throughput_rps"], bento["predict_features_c8"]["throughput_rps"]
    explain, half = bento["explain_c8"]["throughput_rps"], bento["predict_half_rate_c8"]
    ratio = local["records_to_decision_1_ms"] / local["catboost_predict_proba_1_ms"]
    batch_seconds = bento["predict_batch_1000_c1"]["p50_ms"] / 1000
    rows = [
        (
            "raw /predict / /predict_features saturated",
            f"{raw:.0f} / {vectors:.0f} req/s = {raw / vectors:.0%}",
            ">= 50 %",
            raw >= 0.5 * vectors,
        ),
        (
            "records -> decision / predict_proba, in process",
            (
                f"{local['records_to_decision_1_ms']:.2f} / {local['catboost_predict_proba_1_ms']:.2f} ms = {ratio:.1f}x"
                f" ({local['model_trees']} trees)"
            ),
            "<= 10x",
            ratio <= 10,
        ),
        (
            f"/predict p99 at {half['offered_rps']:.0f} req/s (half saturated), 8 clients",
            f"{half['p99_ms']:.1f} ms",
            "<= 25 ms",
            half["p99_ms"] <= 25,
        ),
        (
            "/explain / raw /predict saturated",
            f"{explain:.0f} / {raw:.0f} req/s = {explain / raw:.0%}",
            ">= 25 %",
            explain >= 0.25 * raw,
        ),
        ("/predict_batch of 1,000 raw applicants, p50", f"{batch_seconds:.2f} s", "<= 1 s", batch_seconds <= 1),
    ]
    if arguments.features_baseline:
        rows.append(
            (
                "/predict_features saturated vs baseline",
                f"{vectors:.0f} vs {arguments.features_baseline:.0f} req/s",
                "no slower",
                vectors >= 0.95 * arguments.features_baseline,
            )
        )
    print(f"feature plan: {local['planned_columns']} of the spec's {local['spec_columns']} columns")
    print("targets:")
    for label, measured, target, met in rows:
        print(f"  {label:<58} {measured:<34} {target:<10} {'met' if met else 'NOT met'}")
    output = PROJECT_ROOT / "benchmarks" / "serving_latency.json"
    output.write_text(json.dumps(figures, indent=2))
    print(f"figures written to {output.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
