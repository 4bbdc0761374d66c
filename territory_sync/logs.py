"""Structured logs: one JSON event per line, each with the current run id, secrets scrubbed.

Code logs events with `log_event("pull.page_committed", source="salesforce", records=2000)`. The
run id comes from a context variable set by the run (`run_context(run_id)`), so every line a run
writes, from any module, carries it. Values of secret environment variables are replaced by
`[redacted]` wherever they would appear.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from territory_sync.secrets import secret_values

LOGGER_NAME = "territory_sync"
_run_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("run_id", default=None)


@contextmanager
def run_context(run_id: int) -> Iterator[None]:
    token = _run_id.set(run_id)
    try:
        yield
    finally:
        _run_id.reset(token)


def current_run_id() -> int | None:
    return _run_id.get()


def scrub(text: str) -> str:
    for secret in secret_values():
        if secret in text:
            text = text.replace(secret, "[redacted]")
    return text


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
            "run_id": getattr(record, "run_id", None) or _run_id.get(),
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            event.update(fields)
        if record.exc_info:
            event["error"] = self.formatException(record.exc_info)
        return scrub(json.dumps(event, default=str, ensure_ascii=False))


def logger(name: str = "") -> logging.Logger:
    return logging.getLogger(f"{LOGGER_NAME}.{name}" if name else LOGGER_NAME)


def log_event(event: str, *, level: int = logging.INFO, name: str = "", **fields: Any) -> None:
    logger(name).log(level, event, extra={"fields": fields})


def configure_logging(level: str = "warning", file: str = "", *, stdout: bool = False) -> None:
    """Send the product's log events as JSON lines to standard error, to `file`, or (`stdout`,
    `--log-format json`) to standard output."""
    root = logging.getLogger(LOGGER_NAME)
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    handler: logging.Handler
    if stdout:
        handler = logging.StreamHandler(sys.stdout)
    elif file:
        os.makedirs(os.path.dirname(os.path.abspath(file)), exist_ok=True)
        handler = logging.FileHandler(file, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())
    root.propagate = False


def adopt_library_logger(name: str, level: int = logging.ERROR) -> None:
    """Route a library's logger (`apscheduler`, say) through the product's handlers at `level`,
    so its records are JSON lines like the product's own and nothing else prints them."""
    library = logging.getLogger(name)
    for old in list(library.handlers):
        library.removeHandler(old)
    for handler in logging.getLogger(LOGGER_NAME).handlers or [logging.NullHandler()]:
        library.addHandler(handler)
    library.setLevel(level)
    library.propagate = False
