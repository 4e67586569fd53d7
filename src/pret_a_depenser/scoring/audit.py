"""The decision audit log: every decision the service makes, appended to SQLite, kept for a retention period.

Credit scoring is a high-risk use under the EU AI Act (automatic logging, logs kept at least six
months). A decision is answered only once its record is committed: ``record`` queues it and returns a
future; one writer thread turns everything queued into rows (features as canonical JSON and their
SHA-256) and commits them in one transaction (group commit), then resolves the futures. If the
records cannot be committed before the deadline (a locked or unwritable database) the futures fail
with ``AuditLogUnavailable`` and the service answers 503 instead of the decision. The queue is
bounded. ``close()`` (the service's shutdown hook) drains the queue before exiting. Only model
features and identifiers are logged, not the raw records.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
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


class AuditLogUnavailable(RuntimeError):
    """Records could not be committed to the audit log (the decisions must not be answered)."""


def canonical_features(applicant: dict[str, Any]) -> str:
    """Sorted keys, no spaces (orjson: ~8x faster than json on a 125-feature applicant, in the writer thread)."""
    return orjson.dumps(applicant, option=orjson.OPT_SORT_KEYS).decode()


class DecisionAuditLog:
    """Append-only log of decisions in a SQLite file (WAL mode, safe for several worker processes)."""

    def __init__(
        self, path: Path, retention_days: int, model_tag: str, mlflow_run_id: str | None, batch_size: int = 500,
        commit_timeout: float = 5.0, max_queued: int = 1000,
    ) -> None:
        self.path = Path(path)
        self.retention = timedelta(days=retention_days)
        self.model_tag = model_tag
        self.mlflow_run_id = mlflow_run_id
        self.commit_timeout = commit_timeout
        self._batch_size = batch_size
        self._queue: queue.Queue = queue.Queue(maxsize=max_queued)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:  # schema and pruning before the first request, errors surface at start-up
            connection.executescript(SCHEMA)
            self._prune(connection)
        self._last_prune = time.monotonic()
        self._writer = threading.Thread(target=self._write_forever, name="decision-audit-writer", daemon=True)
        self._writer.start()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=min(self.commit_timeout, 30), isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    # ------------------------------------------------------------------ request side
    def record(self, request_id: str, endpoint: str, applicants: Sequence[dict[str, Any]], results: Sequence[dict[str, Any]], latency_ms: float) -> Future:
        """Queue one record per decision (serialisation happens in the writer thread); the future is
        resolved once they are committed, or fails with ``AuditLogUnavailable``."""
        committed: Future = Future()
        item = (datetime.now(UTC).isoformat(timespec="microseconds"), request_id, endpoint, applicants, results, latency_ms, committed)
        try:
            self._queue.put(item, timeout=self.commit_timeout)
        except queue.Full:
            committed.set_exception(AuditLogUnavailable(f"decision audit log {self.path}: {self._queue.maxsize} requests already wait for their commit"))
        return committed

    def record_and_wait(self, request_id: str, endpoint: str, applicants: Sequence[dict[str, Any]], results: Sequence[dict[str, Any]], latency_ms: float) -> None:
        """``record``, then wait for the commit (raises ``AuditLogUnavailable``)."""
        committed = self.record(request_id, endpoint, applicants, results, latency_ms)
        try:
            committed.result(timeout=self.commit_timeout + 1)
        except TimeoutError:
            raise AuditLogUnavailable(f"decision audit log {self.path}: no commit within {self.commit_timeout} s") from None

    def flush(self) -> None:
        """Return once every record queued so far is committed."""
        self._queue.join()

    def close(self) -> None:
        self._queue.put(_STOP)
        self._writer.join()

    # ------------------------------------------------------------------ writer side
    def _rows(self, item: tuple) -> list[tuple]:
        timestamp, request_id, endpoint, applicants, results, latency_ms, _ = item
        rows = []
        for position, (applicant, result) in enumerate(zip(applicants, results, strict=True)):
            features = canonical_features(applicant)
            rows.append((
                timestamp, request_id, endpoint, position, self.model_tag, self.mlflow_run_id, features,
                hashlib.sha256(features.encode()).hexdigest(), result["probability_of_default"], result["threshold"],
                result["decision"], orjson.dumps(result.get("reasons", [])).decode(), orjson.dumps(result["unseen_categories"]).decode(), latency_ms,
            ))
        return rows

    def _commit(self, connection: sqlite3.Connection, rows: list[tuple]) -> Exception | None:
        """Commit the rows, retrying until the commit deadline; the error if they could not be."""
        deadline = time.monotonic() + self.commit_timeout
        attempt = 0
        while True:
            try:
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany(INSERT, rows)
                connection.execute("COMMIT")
                return None
            except sqlite3.Error as error:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                if time.monotonic() + 0.05 * 2**attempt > deadline:
                    logger.error("decision audit log %s: %d records could not be committed (%s): their requests are answered 503", self.path, len(rows), error)
                    return error
                time.sleep(0.05 * 2**attempt)
                attempt += 1

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
            records = [item for item in items if item is not _STOP]
            rows = [row for item in records for row in self._rows(item)]
            error = self._commit(connection, rows) if rows else None
            for item in records:
                committed = item[-1]
                if error is None:
                    committed.set_result(None)
                else:
                    committed.set_exception(AuditLogUnavailable(f"decision audit log {self.path}: {error}"))
            if time.monotonic() - self._last_prune > 3600:
                self._prune(connection)
                self._last_prune = time.monotonic()
            for _ in items:
                self._queue.task_done()
        connection.close()


def check_audit_store(path: Path) -> None:
    """Raise ``AuditLogUnavailable`` naming the file if the audit log cannot be created, read or written,
    or fails SQLite's integrity check (a truncated, random or half-corrupted file)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=5, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            problems = [row[0] for row in connection.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise AuditLogUnavailable(f"decision audit log {path} fails SQLite's integrity check: {'; '.join(problems[:3])}")
            connection.executescript(SCHEMA)
            connection.execute("BEGIN IMMEDIATE")  # can we write?
            connection.execute("ROLLBACK")
        finally:
            connection.close()
    except (sqlite3.Error, OSError) as error:
        raise AuditLogUnavailable(f"decision audit log {path} cannot be opened for writing: {error}") from None


def read_decisions(path: Path) -> list[dict[str, Any]]:
    """Every record of an audit log, oldest first (for monitoring and audits)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        connection.row_factory = sqlite3.Row
        return [dict(row) for row in connection.execute("SELECT * FROM decisions ORDER BY id")]
    finally:
        connection.close()
