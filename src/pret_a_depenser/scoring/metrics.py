"""Prometheus metrics of the service, exposed on BentoML's /metrics (created once per process)."""

from __future__ import annotations

import prometheus_client

unseen_categories = prometheus_client.Counter(
    name="credit_scoring_unseen_categories",
    documentation="Scored applicants with a category value never seen in training, by feature.",
    labelnames=["feature"],
)
