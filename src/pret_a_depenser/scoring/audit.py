"""The decision audit log: every decision the service makes, appended to SQLite, kept for a retention period.

Credit scoring is a high-risk use under the EU AI Act (automatic logging, logs kept at least six
months). The request thread only enqueues a record; one writer thread turns records into rows
(features as canonical JSON and their SHA-256) and commits them in batches, so the hot path pays
microseconds and a burst loses nothing: ``flush()`` returns once everything queued is committed,
and ``close()`` (the service's shutdown hook) drains the queue before exiting. Only model features
and identifiers are logged: the request schema admits no other field.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    timestamp TEXT NOT NULL,            -- UTC, ISO 8601
    request_id TEXT NOT NULL,
    endpoint TEXT NOT NULL,             -- predict | predict_batch | explain
    position INTEGER NOT NULL,          -- index of the applicant in its request
    model_tag TEXT NOT NULL,
    mlflow_run_id TEXT,
    features TEXT NOT NULL,             -- the applicant's model features, canonical JSON
    features_sha256 TEXT NOT NULL,
    probability_of_default REAL NOT NULL,
    threshold REAL NOT NULL,
    decision TEXT NOT NULL,
    reasons TEXT NOT NULL,              -- JSON list of the reasons given (explain, REFUSED)
    unseen_categories TEXT NOT NULL,    -- JSON list
    latency_ms REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_timestamp ON decisions (timestamp);
"""
INSERT = """
INSERT INTO decisions (timestamp, request_id, endpoint, position, model_tag, mlflow_run_id, features, features_sha256,
                       probability_of_default, threshold, decision, reasons, unseen_categories, latency_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
_STOP = object()


def canonical_features(applicant: dict[str, Any]) -> str:
    """Sorted keys, no spaces (orjson: ~8x faster than json on a 125-feature applicant, in the writer thread)."""
    return orjson.dumps(applicant, option=orjson.OPT_SORT_KEYS).decode()


class DecisionAuditLog:
    """Append-only log of decisions in a SQLite file (WAL mode, safe for several worker processes)."""

    def __init__(self, path: Path, retention_days: int, model_tag: str, mlflow_run_id: str | None, batch_size: int = 500) -> None:
        self.path = Path(path)
        self.retention = timedelta(days=retention_days)
        self.model_tag = model_tag
        self.mlflow_run_id = mlflow_run_id
        self._batch_size = batch_size
        self._queue: queue.Queue = queue.Queue()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:  # schema and pruning before the first request, errors surface at start-up
            connection.executescript(SCHEMA)
            self._prune(connection)
        self._last_prune = time.monotonic()
        self._writer = threading.Thread(target=self._write_forever, name="decision-audit-writer", daemon=True)
        self._writer.start()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    # ------------------------------------------------------------------ request side
    def record(self, request_id: str, endpoint: str, applicants: Sequence[dict[str, Any]], results: Sequence[dict[str, Any]], latency_ms: float) -> None:
        """Queue one record per decision (cheap: serialisation happens in the writer thread)."""
        self._queue.put((datetime.now(UTC).isoformat(timespec="microseconds"), request_id, endpoint, applicants, results, latency_ms))

    def flush(self) -> None:
        """Return once every record queued so far is committed."""
        self._queue.join()

    def close(self) -> None:
        self._queue.put(_STOP)
        self._writer.join()

    # ------------------------------------------------------------------ writer side
    def _rows(self, item: tuple) -> list[tuple]:
        timestamp, request_id, endpoint, applicants, results, latency_ms = item
        rows = []
        for position, (applicant, result) in enumerate(zip(applicants, results, strict=True)):
            features = canonical_features(applicant)
            rows.append((
                timestamp, request_id, endpoint, position, self.model_tag, self.mlflow_run_id, features,
                hashlib.sha256(features.encode()).hexdigest(), result["probability_of_default"], result["threshold"],
                result["decision"], orjson.dumps(result.get("reasons", [])).decode(), orjson.dumps(result["unseen_categories"]).decode(), latency_ms,
            ))
        return rows

    def _commit(self, connection: sqlite3.Connection, rows: list[tuple]) -> None:
        for attempt in range(5):
            try:
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany(INSERT, rows)
                connection.execute("COMMIT")
                return
            except sqlite3.Error:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                if attempt == 4:
                    logger.critical("decision audit log %s: %d records could not be written", self.path, len(rows), exc_info=True)
                    return
                time.sleep(0.05 * 2**attempt)

    def _prune(self, connection: sqlite3.Connection) -> int:
        """Delete records older than the retention period (the only way records leave the log)."""
        cutoff = (datetime.now(UTC) - self.retention).isoformat(timespec="microseconds")
        deleted = connection.execute("DELETE FROM decisions WHERE timestamp < ?", (cutoff,)).rowcount
        if deleted:
            logger.info("decision audit log: %d records older than %s pruned (retention %d days)", deleted, cutoff, self.retention.days)
        return deleted

    def _write_forever(self) -> None:
        connection = self._connect()
        stopping = False
        while not stopping:
            items = [self._queue.get()]
            while len(items) < self._batch_size:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stopping = any(item is _STOP for item in items)
            rows = [row for item in items if item is not _STOP for row in self._rows(item)]
            if rows:
                self._commit(connection, rows)
            if time.monotonic() - self._last_prune > 3600:
                self._prune(connection)
                self._last_prune = time.monotonic()
            for _ in items:
                self._queue.task_done()
        connection.close()


def read_decisions(path: Path) -> list[dict[str, Any]]:
    """Every record of an audit log, oldest first (for monitoring and audits)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute("SELECT * FROM decisions ORDER BY id")]
    finally:
        connection.close()
