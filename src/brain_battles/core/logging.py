"""JSON logs through structlog, one object a line, with the request or job id bound."""

from __future__ import annotations

import logging
import sys

import structlog

_SHARED_PROCESSORS: list[structlog.types.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.StackInfoRenderer(),
    structlog.processors.format_exc_info,
]


class HideJobArguments(logging.Filter):
    """Drop the arguments from arq's "job started" lines.

    arq 0.28 logs every job's arguments at INFO, and an email job's arguments contain the
    one-time code it sends.
    """

    JOB_START_PREFIX = "%6.2fs → "

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            isinstance(record.msg, str)
            and record.msg.startswith(self.JOB_START_PREFIX)
            and isinstance(record.args, tuple)
            and len(record.args) == 4
        ):
            delay, ref, _arguments, extra = record.args
            record.args = (delay, ref, "…", extra)
        return True


_HIDE_JOB_ARGUMENTS = HideJobArguments()


def configure_logging(level: str = "INFO") -> None:
    """Route structlog and the standard library (uvicorn, arq, SQLAlchemy) to JSON on stdout."""
    structlog.configure(
        processors=[
            *_SHARED_PROCESSORS,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED_PROCESSORS,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "arq"):
        named = logging.getLogger(name)
        named.handlers = []
        named.propagate = True
    worker_logger = logging.getLogger("arq.worker")
    if _HIDE_JOB_ARGUMENTS not in worker_logger.filters:
        worker_logger.addFilter(_HIDE_JOB_ARGUMENTS)
