"""Prometheus metrics of one bot process, in its own registry (nothing global at import)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.delivery.outbox import STATUSES

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class Metrics:
    """Counters the engine, the scheduler and the outbox update; rendered at /metrics."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "hocvuso_updates",
            "Messages and button presses handled",
            ["channel"],
            registry=self.registry,
        )
        self.replies = Counter(
            "hocvuso_replies", "Replies produced", ["channel"], registry=self.registry
        )
        self.errors = Counter(
            "hocvuso_handler_errors",
            "Messages answered with 'busy' after an error",
            ["channel"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "hocvuso_handler_seconds",
            "Time to handle one message (database included)",
            ["channel"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.outbox = Gauge(
            "hocvuso_outbox_messages",
            "Outbox messages by status",
            ["status"],
            registry=self.registry,
        )
        self.reminders = Counter(
            "hocvuso_reminders_planned",
            "Reminder messages put in the outbox",
            registry=self.registry,
        )

    def set_outbox(self, counts: dict[str, int]) -> None:
        """Publish the current outbox counts."""
        for status in STATUSES:
            self.outbox.labels(status).set(counts.get(status, 0))

    def render(self) -> bytes:
        """Return the Prometheus text exposition."""
        return generate_latest(self.registry)
