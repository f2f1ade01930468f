"""Logging set-up: plain lines or one JSON object a line; never what residents typed."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

# Context the code attaches with `extra=`; message text from users is never logged.
FIELDS = ("channel", "user_id", "kind", "update_key", "chat_id", "outbox_id", "broadcast_id")


# Libraries that log, below WARNING, the bot's token (in every API address), the webhook secret,
# updates as received or SQL parameters: kept at WARNING whatever level is asked for.
QUIET = ("telegram", "httpx", "httpcore", "aiosqlite", "sqlalchemy", "asyncpg")


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object (for log collectors)."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record with its time, level, logger, message and context fields."""
        data: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in FIELDS:
            if hasattr(record, field):
                data[field] = getattr(record, field)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def configure_logging(level: str = "WARNING", fmt: str = "plain") -> None:
    """Send logs to stderr as plain lines or JSON objects."""
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
