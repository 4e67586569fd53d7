"""The decision audit log in PostgreSQL: the same table and the same durability rule as the SQLite
log, shared by every worker and every replica of the service, and kept when a container is replaced.

Selected by a URL for ``CREDIT_SCORING_AUDIT_LOG`` (``postgresql://user:password@host:port/database``;
SQLAlchemy's ``postgresql+psycopg://`` form is accepted too). Driven with psycopg 3.
"""

from __future__ import annotations

import re
from typing import Any

POSTGRES_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS decisions (
        id BIGSERIAL PRIMARY KEY,
        timestamp TEXT NOT NULL,
        request_id TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        position INTEGER NOT NULL,
        model_tag TEXT NOT NULL,
        mlflow_run_id TEXT,
        features TEXT NOT NULL,
        features_sha256 TEXT NOT NULL,
        probability_of_default DOUBLE PRECISION NOT NULL,
        threshold DOUBLE PRECISION NOT NULL,
        decision TEXT NOT NULL,
        reasons TEXT NOT NULL,
        unseen_categories TEXT NOT NULL,
        latency_ms DOUBLE PRECISION NOT NULL,
        client_request_id TEXT,
        applicant_id BIGINT
    )""",
    "ALTER TABLE decisions ADD COLUMN IF NOT EXISTS client_request_id TEXT",
    "ALTER TABLE decisions ADD COLUMN IF NOT EXISTS applicant_id BIGINT",
    "CREATE INDEX IF NOT EXISTS decisions_timestamp ON decisions (timestamp)",
]
POSTGRES_INSERT = """
INSERT INTO decisions (timestamp, request_id, endpoint, position, model_tag, mlflow_run_id, features, features_sha256,
                       probability_of_default, threshold, decision, reasons, unseen_categories, latency_ms, client_request_id,
                       applicant_id)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
"""
SCHEMA_LOCK = 727_312_001  # advisory lock: workers starting together create the table once


def is_database_url(location: Any) -> bool:
    return isinstance(location, str) and re.match(r"^postgres(ql)?(\+\w+)?://", location) is not None


def libpq_url(url: str) -> str:
    """The URL psycopg takes: SQLAlchemy's ``+driver`` part dropped."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def connect(url: str, timeout: float):
    import psycopg

    return psycopg.connect(libpq_url(url), connect_timeout=max(int(timeout), 1), autocommit=False)


def ensure_schema(connection) -> None:
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        for statement in POSTGRES_SCHEMA:
            connection.execute(statement)


def insert(connection, rows: list[tuple]) -> None:
    with connection.transaction(), connection.cursor() as cursor:
        cursor.executemany(POSTGRES_INSERT, rows)


def prune(connection, cutoff: str) -> int:
    with connection.transaction():
        return connection.execute("DELETE FROM decisions WHERE timestamp < %s", (cutoff,)).rowcount


def read(url: str) -> list[dict[str, Any]]:
    from psycopg.rows import dict_row

    with connect(url, 10) as connection, connection.cursor(row_factory=dict_row) as cursor:
        cursor.execute("SELECT * FROM decisions ORDER BY id")
        return list(cursor.fetchall())
