"""Soak test of `bentoml serve`: 100,000 mixed requests from 16 concurrent clients on loopback, with the
worker killed (SIGKILL) in the middle and restarted by BentoML.

Applicants are Kaggle-format records with a median history (as in serving_latency.py). The mix, in a
fixed interleaved order: 65 % valid /predict, 10 % /predict_batch of 10 applicants, 5 % /explain, and
20 % hostile: malformed bodies (a string number, an unknown field, NaN, broken JSON, an empty object, a
multipart body), oversized bodies (just over the 4 MB limit) and GETs of random unknown paths.
When ``--kill-at`` of the requests are done, the worker is killed with SIGKILL; BentoML starts a new
one, and requests meanwhile fail at the transport level (counted, not re-sent).

Prints responses by status for each kind, p50/p99 latency of the first and last tenth, the worker's
resident memory after the warm-up, before the kill and at the end, the time the worker took to come
back, and the audit log against the answers: every decision answered 200 must have its record
(matched by the request id the service returned); records of decisions whose answer was lost to the
kill are counted apart. The log is read after a graceful SIGTERM, which drains it.

Run after `kedro run`:

    python benchmarks/serving_soak.py [--requests 100000] [--clients 16] [--kill-at 0.5]

Targets: no 5xx; worker RSS growth under 10 % from warm-up to kill; p99 drift under 20 % from the first
to the last tenth; no decision answered without its record.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

import aiohttp
import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving_latency import ENVIRONMENT, PROJECT_ROOT, free_port, median_history_requests, raw_tables, stop, wait_until

from pret_a_depenser.scoring.audit import read_decisions

MIX = (
    ["predict"] * 13 + ["predict_batch"] * 2 + ["explain"] + ["malformed"] * 2 + ["oversized"] + ["unknown_path"]
)  # 20 slots = 65/10/5/10/5/5 %


def request_plan(rows: list[dict], n_requests: int) -> list[tuple[str, str, bytes, dict[str, str], int]]:
    """(kind, route, body, headers, decisions it should produce) for every request, in order."""
    json_headers = {"content-type": "application/json"}
    application = rows[0]["application"]
    malformed = [
        ("/predict", json.dumps({**rows[0], "application": {**application, "AMT_CREDIT": "1.5"}}).encode(), json_headers),
        ("/predict", json.dumps({**rows[0], "application": {**application, "AMT_CREDIT_TYPO": 1.0}}).encode(), json_headers),
        (
            "/explain",
            json.dumps({**rows[0], "application": {**application, "AMT_CREDIT": 1.25}}).replace("1.25", "NaN").encode(),
            json_headers,
        ),
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
        elif kind == "unknown_path":
            plan.append((kind, f"/probe-{index}-{'x' * (index % 50)}", b"", {}, 0))
        elif kind == "malformed":
            route, body, headers = malformed[(index // len(MIX)) % len(malformed)]
            plan.append((kind, route, body, headers, 0))
        else:
            plan.append((kind, "/predict", oversized, json_headers, 0))
    return plan


async def run(url: str, plan: list, clients: int, on_progress=None) -> list[tuple[int, str, int | str, float, str | None]]:
    """(index, kind, status, latency ms, request id answered) of every request; ``on_progress(done)`` after each."""
    results: list[tuple[int, str, int | str, float, str | None]] = []
    indices = iter(range(len(plan)))
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=clients), timeout=timeout) as session:

        async def client() -> None:
            for index in indices:
                kind, route, body, headers, _ = plan[index]
                started = time.perf_counter()
                request_id = None
                try:
                    async with session.request(
                        "GET" if kind == "unknown_path" else "POST", f"{url}{route}", data=body or None, headers=headers
                    ) as response:
                        await response.read()
                        status: int | str = response.status
                        request_id = response.headers.get("x-request-id")
                except (TimeoutError, aiohttp.ClientError) as error:
                    status = type(error).__name__
                    await asyncio.sleep(0.2)  # the worker is gone: BentoML is starting another
                results.append((index, kind, status, (time.perf_counter() - started) * 1000, request_id))
                if on_progress is not None:
                    on_progress(len(results))

        gc.disable()
        try:
            await asyncio.gather(*(client() for _ in range(clients)))
        finally:
            gc.enable()
    return results


def worker_process(server: subprocess.Popen, not_pid: int | None = None) -> psutil.Process:
    """The API worker of `bentoml serve` (another than ``not_pid``, once it is back)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for child in psutil.Process(server.pid).children(recursive=True):
            if child.pid != not_pid and "_bentoml_impl.worker.service" in " ".join(child.cmdline()):
                return child
        time.sleep(0.05)
    raise RuntimeError("no BentoML worker process found")


class WorkerKiller:
    """SIGKILLs the worker once ``at`` requests are done, then times how long the new one takes to be ready."""

    def __init__(self, server: subprocess.Popen, url: str, at: int) -> None:
        self.server, self.url, self.at = server, url, at
        self.worker = worker_process(server)
        self.killed_at: float | None = None
        self.rss_before_kill = 0.0
        self.back_after: float | None = None

    def __call__(self, done: int) -> None:
        if self.killed_at is None and done >= self.at:
            self.rss_before_kill = self.worker.memory_info().rss / 1e6
            self.worker.kill()
            self.killed_at = time.perf_counter()
            threading.Thread(target=self._wait_for_the_new_worker, daemon=True).start()

    def _wait_for_the_new_worker(self) -> None:
        self.worker = worker_process(self.server, not_pid=self.worker.pid)
        while True:
            try:
                if urllib.request.urlopen(f"{self.url}/readyz", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.05)
        self.back_after = time.perf_counter() - self.killed_at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument(
        "--kill-at", type=float, default=0.5, help="share of the requests done when the worker is killed (0: never)"
    )
    arguments = parser.parse_args()

    rows = median_history_requests(raw_tables(), 1000)
    audit_log = PROJECT_ROOT / "benchmarks" / "data" / "soak_audit.sqlite"
    audit_log.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{audit_log}{suffix}").unlink(missing_ok=True)
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
    environment = {**ENVIRONMENT, "CREDIT_SCORING_AUDIT_LOG": str(audit_log)}
    server = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    killer = None
    try:
        wait_until(f"{url}/readyz", server)
        warm_up = request_plan(rows, 2000)
        warm_results = asyncio.run(run(url, warm_up, arguments.clients))
        rss_warm = worker_process(server).memory_info().rss / 1e6
        plan = request_plan(rows, arguments.requests)
        if arguments.kill_at > 0:
            killer = WorkerKiller(server, url, int(arguments.kill_at * arguments.requests))
        started = time.perf_counter()
        results = asyncio.run(run(url, plan, arguments.clients, killer))
        elapsed = time.perf_counter() - started
        rss_end = worker_process(server).memory_info().rss / 1e6
    finally:
        stop(server)  # SIGTERM: in-flight requests finish and the audit log is drained

    by_kind: dict[str, Counter] = defaultdict(Counter)
    for _, kind, status, _, _ in results:
        by_kind[kind][status] += 1
    print(f"{len(results):,} requests from {arguments.clients} clients in {elapsed:.1f} s ({len(results) / elapsed:,.0f} req/s)")
    for kind in ("predict", "predict_batch", "explain", "malformed", "oversized", "unknown_path"):
        print(f"  {kind:<14} {dict(by_kind[kind])}")
    server_errors = sum(
        count for counter in by_kind.values() for status, count in counter.items() if isinstance(status, int) and status >= 500
    )
    transport_errors = sum(
        count for counter in by_kind.values() for status, count in counter.items() if not isinstance(status, int)
    )
    print(f"5xx: {server_errors}; transport errors (requests in flight or sent while the worker was down): {transport_errors}")

    ordered = sorted(results)
    tenth = len(ordered) // 10
    for label, part in (("first tenth", ordered[:tenth]), ("last tenth", ordered[-tenth:])):
        everything = [latency for _, _, status, latency, _ in part if isinstance(status, int)]
        single = [latency for _, kind, status, latency, _ in part if kind == "predict" and status == 200]
        print(
            f"  {label:<12} all p50 {np.percentile(everything, 50):6.2f} ms p99 {np.percentile(everything, 99):7.2f} ms | "
            f"/predict p50 {np.percentile(single, 50):6.2f} ms p99 {np.percentile(single, 99):7.2f} ms"
        )
    first_p99 = np.percentile([latency for _, _, status, latency, _ in ordered[:tenth] if isinstance(status, int)], 99)
    last_p99 = np.percentile([latency for _, _, status, latency, _ in ordered[-tenth:] if isinstance(status, int)], 99)
    print(f"p99 drift first -> last tenth: {100 * (last_p99 - first_p99) / first_p99:+.1f} %")
    if killer is not None and killer.killed_at is not None:
        print(
            f"worker RSS: {rss_warm:.0f} MB after 2,000 warm-up requests, {killer.rss_before_kill:.0f} MB when killed "
            f"({100 * (killer.rss_before_kill - rss_warm) / rss_warm:+.1f} %); the new worker was ready {killer.back_after:.1f} s after the kill "
            f"and held {rss_end:.0f} MB at the end"
        )
    else:
        print(
            f"worker RSS: {rss_warm:.0f} MB after 2,000 warm-up requests, {rss_end:.0f} MB at the end ({100 * (rss_end - rss_warm) / rss_warm:+.1f} %)"
        )

    answered = Counter()
    for index, _, status, _, request_id in results:
        if status == 200 and plan[index][4]:
            answered[request_id] += plan[index][4]
    for index, _, status, _, request_id in warm_results:
        if status == 200 and warm_up[index][4]:
            answered[request_id] += warm_up[index][4]
    recorded = Counter(record["request_id"] for record in read_decisions(audit_log))
    lost = sum(
        count - recorded.get(request_id, 0) for request_id, count in answered.items() if recorded.get(request_id, 0) < count
    )
    unanswered = sum(count for request_id, count in recorded.items() if request_id not in answered)
    print(
        f"audit log: {sum(recorded.values()):,} records; {sum(answered.values()):,} decisions answered 200 (warm-up included), "
        f"{lost} of them without their record; {unanswered} records of decisions whose answer the kill cut off"
    )


if __name__ == "__main__":
    main()
