"""The `send_email` job, run by the arq worker or in-process."""

from __future__ import annotations

from typing import Any

import structlog
from arq import Retry

from brain_battles.mail.service import MailDeliveryError, Mailer, RenderedEmail, render_email

logger = structlog.get_logger(__name__)

# Seconds to wait before try n+1: 5, 20, 45, 80 (arq gives up after the worker's max_tries).
RETRY_BASE_SECONDS = 5


async def send_email(
    ctx: dict[str, Any], *, to: str, template: str, context: dict[str, Any]
) -> None:
    """Render one email and deliver it; an SMTP failure is retried with growing delays."""
    await deliver(ctx, render_email(template, to, context), template=template)


async def deliver(ctx: dict[str, Any], email: RenderedEmail, *, template: str) -> None:
    """Send a rendered email from a job, raising arq's `Retry` when the SMTP server fails."""
    mailer: Mailer = ctx["mailer"]
    job_try = ctx.get("job_try", 1)
    try:
        await mailer.send(email)
    except MailDeliveryError as exc:
        delay = RETRY_BASE_SECONDS * job_try * job_try
        logger.warning(
            "mail.delivery_failed",
            job_id=ctx.get("job_id"),
            job_try=job_try,
            template=template,
            retry_in_seconds=delay,
            error=str(exc),
        )
        raise Retry(defer=delay) from exc
    logger.info("mail.sent", job_id=ctx.get("job_id"), template=template, backend=mailer.backend)
