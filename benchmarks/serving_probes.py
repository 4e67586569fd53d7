"""The adversarial probes of the served model, replayed against `bentoml serve` (one worker, loopback).

Each probe starts its own server with its own audit log and prints one line of figures:

1. crash: 32 clients sending 1,000-applicant batches (and singles), worker SIGKILLed at 8 s: decisions
   answered 200 against decisions recorded for those requests.
2. locked log: 20 /predict while another process holds the audit database's write lock.
3. batch memory: 30 s of 1,000-applicant batches from 32 clients: worker RSS at start, peak, and after.
4. unknown paths: 20,000 GET /<random>: worker RSS before and after, /metrics size and time to serve.
5. slow bodies: 40 connections sending their body at 1 byte/s for 30 s while a real client sends /predict.
6. start-up failures: a truncated, random, corrupted-in-the-middle audit database and an unloadable
   model file: exit code, lines printed, seconds to exit.
7. input: an applicant with only null values, one with its complete columns only, DAYS_BIRTH = -1e300, a
   repeated X-Request-ID.

Run after `kedro run` (the model is `credit_scoring:latest` in the local BentoML store):

    python benchmarks/serving_probes.py [--only crash,locked,...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import aiohttp
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving_latency import ENVIRONMENT, PROJECT_ROOT, free_port, median_history_requests, raw_tables, stop, wait_until

from pret_a_depenser.scoring.audit import read_decisions
from pret_a_depenser.scoring.records import RECORD_MODELS

JSON = {"content-type": "application/json"}
BENTOML = str(Path(sys.executable).parent / "bentoml")


def start(audit_log: Path, **settings: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [BENTOML, "serve", "service:CreditScoring", "--host", "127.0.0.1", "--port", str(port)]
    environment = {**ENVIRONMENT, "CREDIT_SCORING_AUDIT_LOG": str(audit_log), **settings}
    log = (audit_log.parent / f"serve-{port}.log").open("w")
    server = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    server.log_path = Path(log.name)
    return server, f"http://127.0.0.1:{port}"


def worker(server: subprocess.Popen) -> psutil.Process:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for child in psutil.Process(server.pid).children(recursive=True):
            if "_bentoml_impl.worker.service" in " ".join(child.cmdline()):
                return child
        time.sleep(0.2)
    raise RuntimeError("no BentoML worker process found")


class RssSampler(threading.Thread):
    """The peak resident memory of a process, sampled every 0.2 s."""

    def __init__(self, process: psutil.Process) -> None:
        super().__init__(daemon=True)
        self.process, self.peak, self.running = process, process.memory_info().rss, True

    def run(self) -> None:
        while self.running:
            try:
                self.peak = max(self.peak, self.process.memory_info().rss)
            except psutil.Error:
                return
            time.sleep(0.2)


async def batch_load(url: str, bodies: dict[str, bytes], clients: int, seconds: float, answered: dict | None = None) -> Counter:
    """``clients`` clients posting a 1,000-applicant batch (client 0: singles) for ``seconds``; status counts."""
    statuses: Counter = Counter()
    ends = time.monotonic() + seconds
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:

        async def client(number: int) -> None:
            route, body, size = ("/predict", bodies["single"], 1) if number == 0 else ("/predict_batch", bodies["batch"], 1000)
            index = 0
            while time.monotonic() < ends:
                request_id, index = f"c{number}-{index}", index + 1
                try:
                    async with session.post(url + route, data=body, headers={**JSON, "x-request-id": request_id}) as response:
                        await response.read()
                        statuses[response.status] += 1
                        if response.status == 200 and answered is not None:
                            answered[request_id] = size
                        if response.status in (429, 503):
                            await asyncio.sleep(float(response.headers.get("retry-after", "1")) / 10)
                except (aiohttp.ClientError, TimeoutError) as error:
                    statuses[type(error).__name__] += 1
                    await asyncio.sleep(0.5)

        await asyncio.gather(*(client(number) for number in range(clients)))
    return statuses


def recorded_per_request(audit_log: Path) -> Counter:
    return Counter(record["client_request_id"] for record in read_decisions(audit_log))


def probe_crash(folder: Path, bodies: dict[str, bytes]) -> str:
    audit_log = folder / "crash.sqlite"
    server, url = start(audit_log)
    answered: dict[str, int] = {}
    try:
        wait_until(f"{url}/readyz", server)
        process = worker(server)
        threading.Timer(8, process.kill).start()
        statuses = asyncio.run(batch_load(url, bodies, 32, 20, answered))
    finally:
        stop(server)
    recorded = recorded_per_request(audit_log)
    lost = sum(count for request_id, count in answered.items() if recorded.get(request_id, 0) < count)
    return (
        f"{sum(answered.values()):,} decisions answered 200 ({sum(1 for c in answered.values() if c == 1000)} batches), "
        f"{sum(recorded.values()):,} recorded, answered but not recorded: {lost}; statuses {dict(statuses)}"
    )


def probe_locked(folder: Path, bodies: dict[str, bytes]) -> str:
    audit_log = folder / "locked.sqlite"
    server, url = start(audit_log, CREDIT_SCORING_AUDIT_COMMIT_TIMEOUT="1")
    try:
        wait_until(f"{url}/readyz", server)
        holder = sqlite3.connect(audit_log, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        statuses: Counter = Counter()
        try:
            import httpx

            for index in range(20):
                response = httpx.post(
                    f"{url}/predict", content=bodies["single"], headers={**JSON, "x-request-id": f"locked-{index}"}, timeout=30
                )
                statuses[(response.status_code, response.headers.get("retry-after"))] += 1
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    finally:
        stop(server)
    return f"20 /predict with the log locked: {dict(statuses)} (status, Retry-After); records: {len(read_decisions(audit_log))}"


def probe_batch_memory(folder: Path, bodies: dict[str, bytes]) -> str:
    audit_log = folder / "memory.sqlite"
    server, url = start(audit_log)
    try:
        wait_until(f"{url}/readyz", server)
        process = worker(server)
        at_start = process.memory_info().rss
        sampler = RssSampler(process)
        sampler.start()
        statuses = asyncio.run(batch_load(url, bodies, 32, 30))
        time.sleep(5)
        sampler.running = False
        after = process.memory_info().rss
    finally:
        stop(server)
    return (
        f"worker RSS {at_start / 1e6:,.0f} MB at start, peak {sampler.peak / 1e6:,.0f} MB, {after / 1e6:,.0f} MB 5 s after; "
        f"statuses {dict(statuses)}; records {len(read_decisions(audit_log)):,}"
    )


def probe_unknown_paths(folder: Path) -> str:
    audit_log = folder / "paths.sqlite"
    server, url = start(audit_log)

    async def hammer() -> Counter:
        statuses: Counter = Counter()
        async with aiohttp.ClientSession() as session:

            async def client(number: int) -> None:
                for index in range(number, 20_000, 16):
                    async with session.get(f"{url}/{uuid.uuid4().hex}-{index}") as response:
                        await response.read()
                        statuses[response.status] += 1

            await asyncio.gather(*(client(number) for number in range(16)))
        return statuses

    try:
        wait_until(f"{url}/readyz", server)
        process = worker(server)
        before = process.memory_info().rss
        statuses = asyncio.run(hammer())
        after = process.memory_info().rss
        import httpx

        started = time.perf_counter()
        metrics = httpx.get(f"{url}/metrics", timeout=60).text
        served_in = time.perf_counter() - started
    finally:
        stop(server)
    return (
        f"20,000 GET /<random>: {dict(statuses)}; worker RSS {before / 1e6:,.0f} -> {after / 1e6:,.0f} MB; "
        f"/metrics {len(metrics) / 1e3:,.1f} KB served in {served_in * 1000:,.0f} ms"
    )


def probe_slow_bodies(folder: Path, bodies: dict[str, bytes]) -> str:
    audit_log = folder / "slow.sqlite"
    server, url = start(audit_log)
    port = int(url.rsplit(":", 1)[1])
    head = b"POST /predict HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % len(
        bodies["single"]
    )

    async def slow_client(outcomes: Counter, seconds: float) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(head)
        ends = time.monotonic() + seconds
        for byte in bodies["single"]:
            if time.monotonic() > ends or reader.at_eof():
                break
            writer.write(bytes([byte]))
            try:
                answer = await asyncio.wait_for(reader.read(200), timeout=1)
            except TimeoutError:
                continue
            outcomes[answer.split(b"\r\n")[0].decode(errors="replace") or "closed"] += 1
            break
        writer.close()

    async def real_client(statuses: Counter, seconds: float) -> None:
        ends = time.monotonic() + seconds
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < ends:
                async with session.post(f"{url}/predict", data=bodies["single"], headers=JSON) as response:
                    await response.read()
                    statuses[response.status] += 1

    async def scenario() -> tuple[Counter, Counter]:
        outcomes, statuses = Counter(), Counter()
        slow = [asyncio.ensure_future(slow_client(outcomes, 30)) for _ in range(40)]
        await asyncio.sleep(1)
        await real_client(statuses, 30)
        await asyncio.gather(*slow)
        return outcomes, statuses

    try:
        wait_until(f"{url}/readyz", server)
        outcomes, statuses = asyncio.run(scenario())
    finally:
        stop(server)
    return f"real client over 30 s: {dict(statuses)}; the 40 slow clients got: {dict(outcomes)}"


def probe_start_failures(folder: Path) -> str:
    results = []
    for broken in ("truncated", "random bytes", "corrupted in the middle", "model file unloadable"):
        audit_log = folder / f"start-{broken.replace(' ', '-')}.sqlite"
        settings = {}
        if broken == "truncated":
            connection = sqlite3.connect(audit_log)
            connection.executescript("CREATE TABLE filler (x TEXT);" + "INSERT INTO filler VALUES (hex(randomblob(400)));" * 500)
            connection.commit()
            connection.close()
            audit_log.write_bytes(audit_log.read_bytes()[:1000])
        elif broken == "random bytes":
            audit_log.write_bytes(bytes(range(256)) * 100)
        elif broken == "corrupted in the middle":
            connection = sqlite3.connect(audit_log)
            connection.executescript("CREATE TABLE filler (x TEXT);" + "INSERT INTO filler VALUES (hex(randomblob(400)));" * 2000)
            connection.commit()
            connection.close()
            data = bytearray(audit_log.read_bytes())
            data[len(data) // 2 : len(data) // 2 + 4096] = bytes(range(256)) * 16
            audit_log.write_bytes(bytes(data))
        else:
            import bentoml

            home = folder / "bentoml-broken"
            shutil.copytree(Path(bentoml.models.get("credit_scoring:latest").path).parents[2], home)
            for model_file in (home / "models" / "credit_scoring").glob("*/model.cbm"):
                model_file.write_bytes(b"not a CatBoost model")
            settings["BENTOML_HOME"] = str(home)
        started = time.monotonic()
        server, _ = start(audit_log, **settings)
        try:
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            pass
        finally:
            stop(server)
        lines = [line for line in server.log_path.read_text().splitlines() if line.strip()]
        results.append(f"{broken}: exit {server.returncode} after {time.monotonic() - started:.1f} s, {len(lines)} line(s)")
    return "; ".join(results)


def probe_inputs(folder: Path, bodies: dict[str, bytes]) -> str:
    import httpx

    audit_log = folder / "inputs.sqlite"
    server, url = start(audit_log)
    request = json.loads(bodies["single"])
    application = request["application"]
    complete = {key: value for key, value in application.items() if RECORD_MODELS["application"].model_fields[key].is_required()}
    try:
        wait_until(f"{url}/readyz", server)
        null_only = [
            httpx.post(f"{url}/predict", json=body, timeout=30).status_code
            for body in ({"AMT_CREDIT": None}, {"application": {"AMT_CREDIT": None}})
        ]
        complete_only = httpx.post(
            f"{url}/predict", json={"application": {**{key: None for key in application}, **complete}}, timeout=30
        )
        absurd = httpx.post(f"{url}/predict", json={**request, "application": {**application, "DAYS_BIRTH": -1e300}}, timeout=30)
        repeated = [httpx.post(f"{url}/predict", json=request, headers={"x-request-id": "same-id"}, timeout=30) for _ in range(2)]
    finally:
        stop(server)
    records = read_decisions(audit_log)
    return (
        f"{{AMT_CREDIT: null}} and {{application: {{AMT_CREDIT: null}}}}: {null_only}; only the complete columns, "
        f"the rest null: {complete_only.status_code}; DAYS_BIRTH=-1e300: {absurd.status_code} "
        f"({absurd.json().get('error', '')[:60]!r}...); X-Request-ID sent twice: {[r.status_code for r in repeated]}, "
        f"{len({r['request_id'] for r in records})} distinct record ids, client ids kept {[r['client_request_id'] for r in records if r['client_request_id']]}"
    )


PROBES = {
    "crash": probe_crash,
    "locked": probe_locked,
    "memory": probe_batch_memory,
    "paths": probe_unknown_paths,
    "slow": probe_slow_bodies,
    "start": probe_start_failures,
    "inputs": probe_inputs,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(PROBES), help=f"comma-separated probes among {', '.join(PROBES)}")
    arguments = parser.parse_args()
    requests = median_history_requests(raw_tables(), 1000)
    bodies = {"single": json.dumps(requests[0]).encode(), "batch": json.dumps(requests).encode()}
    print(f"bodies: single {len(bodies['single']) / 1e3:,.1f} KB, batch of 1,000 {len(bodies['batch']) / 1e6:,.1f} MB")
    with tempfile.TemporaryDirectory(prefix="probes-") as folder:
        for name in arguments.only.split(","):
            probe = PROBES[name]
            takes_bodies = "bodies" in probe.__code__.co_varnames[: probe.__code__.co_argcount]
            started = time.perf_counter()
            line = probe(Path(folder), bodies) if takes_bodies else probe(Path(folder))
            print(f"{name:<7} {line}  [{time.perf_counter() - started:.0f} s]", flush=True)


if __name__ == "__main__":
    main()
