"""Soak test of `bentoml serve`: 100,000 mixed requests from 16 concurrent clients on loopback.

Applicants are Kaggle-format records with a median history (as in serving_latency.py). The mix, in a
fixed interleaved order: 70 % valid /predict, 10 % /predict_batch of 10 applicants, 5 % /explain, 10 %
malformed bodies (a string number, an unknown field, NaN, broken JSON, an empty object, a multipart
body) and 5 % oversized bodies (just over the 4 MB limit). Prints responses by
status for each kind, p50/p99 latency of the first and last tenth, the server's resident memory at
start, after a warm-up and at the end, and the audit-log records against the decisions served
(read after a graceful SIGTERM, which drains the log).

Run after `kedro run`:

    python benchmarks/serving_soak.py [--requests 100000] [--clients 16]

Targets: no 5xx; RSS growth under 10 % (under 50 MB); p99 drift under 20 % from the first to the
last tenth; audit records == decisions served.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import aiohttp
import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving_latency import ENVIRONMENT, PROJECT_ROOT, free_port, median_history_requests, raw_tables, stop, wait_until

from pret_a_depenser.scoring.audit import read_decisions

MIX = ["predict"] * 14 + ["predict_batch"] * 2 + ["explain"] + ["malformed"] * 2 + ["oversized"]  # 20 slots = 70/10/5/10/5 %


def request_plan(rows: list[dict], n_requests: int) -> list[tuple[str, str, bytes, dict[str, str], int]]:
    """(kind, route, body, headers, decisions it should produce) for every request, in order."""
    json_headers = {"content-type": "application/json"}
    application = rows[0]["application"]
    malformed = [
        ("/predict", json.dumps({**rows[0], "application": {**application, "AMT_CREDIT": "1.5"}}).encode(), json_headers),
        ("/predict", json.dumps({**rows[0], "application": {**application, "AMT_CREDIT_TYPO": 1.0}}).encode(), json_headers),
        ("/explain", json.dumps({**rows[0], "application": {**application, "AMT_CREDIT": 1.25}}).replace("1.25", "NaN").encode(), json_headers),
        ("/predict_batch", b'[{"broken": ', json_headers),
        ("/predict", b"{}", json_headers),
        ("/predict", b"--x\r\n\r\n", {"content-type": "multipart/form-data"}),
    ]
    oversized = json.dumps({**rows[0], "padding": "x" * (4 * 1024 * 1024 + 100)}).encode()
    plan = []
    for index in range(n_requests):
        kind = MIX[index % len(MIX)]
        row = rows[index % len(rows)]
        if kind == "predict":
            plan.append((kind, "/predict", json.dumps(row).encode(), json_headers, 1))
        elif kind == "explain":
            plan.append((kind, "/explain", json.dumps(row).encode(), json_headers, 1))
        elif kind == "predict_batch":
            start = index % (len(rows) - 10)
            plan.append((kind, "/predict_batch", json.dumps(rows[start : start + 10]).encode(), json_headers, 10))
        elif kind == "malformed":
            route, body, headers = malformed[(index // len(MIX)) % len(malformed)]
            plan.append((kind, route, body, headers, 0))
        else:
            plan.append((kind, "/predict", oversized, json_headers, 0))
    return plan


async def run(url: str, plan: list, clients: int) -> list[tuple[int, str, int | str, float]]:
    """(index, kind, status, latency ms) of every request."""
    results: list[tuple[int, str, int | str, float]] = []
    indices = iter(range(len(plan)))
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=clients), timeout=timeout) as session:

        async def client() -> None:
            for index in indices:
                kind, route, body, headers, _ = plan[index]
                started = time.perf_counter()
                try:
                    async with session.post(f"{url}{route}", data=body, headers=headers) as response:
                        await response.read()
                        status: int | str = response.status
                except (TimeoutError, aiohttp.ClientError) as error:
                    status = type(error).__name__
                results.append((index, kind, status, (time.perf_counter() - started) * 1000))

        gc.disable()
        try:
            await asyncio.gather(*(client() for _ in range(clients)))
        finally:
            gc.enable()
    return results


def server_rss_mb(server: subprocess.Popen) -> float:
    processes = [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]
    return max(process.memory_info().rss for process in processes) / 1e6  # the API worker is the largest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=16)
    arguments = parser.parse_args()

    rows = median_history_requests(raw_tables(), 1000)
    audit_log = PROJECT_ROOT / "benchmarks" / "data" / "soak_audit.sqlite"
    audit_log.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{audit_log}{suffix}").unlink(missing_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(Path(sys.executable).parent / "bentoml"), "serve", "service:CreditScoring", "--host", "127.0.0.1", "--port", str(port)]
    environment = {**ENVIRONMENT, "CREDIT_SCORING_AUDIT_LOG": str(audit_log)}
    server = subprocess.Popen(command, cwd=PROJECT_ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until(f"{url}/readyz", server)
        rss_start = server_rss_mb(server)
        warm_up = request_plan(rows, 2000)
        warm_results = asyncio.run(run(url, warm_up, arguments.clients))
        rss_warm = server_rss_mb(server)
        plan = request_plan(rows, arguments.requests)
        started = time.perf_counter()
        results = asyncio.run(run(url, plan, arguments.clients))
        elapsed = time.perf_counter() - started
        rss_end = server_rss_mb(server)
    finally:
        stop(server)  # SIGTERM: in-flight requests finish and the audit log is drained

    by_kind: dict[str, Counter] = defaultdict(Counter)
    for _, kind, status, _ in results:
        by_kind[kind][status] += 1
    print(f"{len(results):,} requests from {arguments.clients} clients in {elapsed:.1f} s ({len(results) / elapsed:,.0f} req/s)")
    for kind in ("predict", "predict_batch", "explain", "malformed", "oversized"):
        print(f"  {kind:<14} {dict(by_kind[kind])}")
    server_errors = sum(count for counter in by_kind.values() for status, count in counter.items() if not isinstance(status, int) or status >= 500)
    print(f"5xx or transport errors: {server_errors}")

    ordered = sorted(results)
    tenth = len(ordered) // 10
    for label, part in (("first tenth", ordered[:tenth]), ("last tenth", ordered[-tenth:])):
        everything = [latency for _, _, _, latency in part]
        single = [latency for _, kind, _, latency in part if kind == "predict"]
        print(f"  {label:<12} all p50 {np.percentile(everything, 50):6.2f} ms p99 {np.percentile(everything, 99):7.2f} ms | "
              f"/predict p50 {np.percentile(single, 50):6.2f} ms p99 {np.percentile(single, 99):7.2f} ms")
    first_p99 = np.percentile([latency for _, _, _, latency in ordered[:tenth]], 99)
    last_p99 = np.percentile([latency for _, _, _, latency in ordered[-tenth:]], 99)
    print(f"p99 drift first -> last tenth: {100 * (last_p99 - first_p99) / first_p99:+.1f} %")
    print(f"server RSS: {rss_start:.0f} MB at start, {rss_warm:.0f} MB after 2,000 warm-up requests, {rss_end:.0f} MB at the end "
          f"({rss_end - rss_warm:+.0f} MB, {100 * (rss_end - rss_warm) / rss_warm:+.1f} % since the warm-up; {100 * (rss_end - rss_start) / rss_start:+.1f} % since start)")

    served = sum(plan[index][4] for index, _, status, _ in results if status == 200)
    served += sum(warm_up[index][4] for index, _, status, _ in warm_results if status == 200)
    records = len(read_decisions(audit_log))
    print(f"audit log: {records:,} records for {served:,} decisions served (warm-up included): {'equal' if records == served else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
