"""Celery tasks: thin interfaces that load by id and call a service (EXAMPLES.md B5).

The services start these by name (minutes.services.rendering.enqueue_render), so this module
imports no service at its top: `minutes/apps.py` imports it in every process to register the
names, and a process that never renders (a management command, a web process before its first
minutes page) must not load the PDF stack (WeasyPrint, pyHanko) for it
(tests/meetings/test_demo.py).
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

RENDER_RETRIES = 3


@shared_task(
    name="minutes.render_document",
    bind=True,
    max_retries=RENDER_RETRIES,
    default_retry_delay=10,
    acks_late=True,
)
def render_document(self: Any, *, document_id: int) -> Any:
    """Renders one document's PDF; retried on failure, idempotent (the PDF is produced once)."""
    # Here, not at the top: the PDF stack loads when a document is rendered (module docstring).
    from minutes.services import rendering

    try:
        document = rendering.render_document(document_id=document_id)
    except Exception as error:
        final = self.request.retries >= self.max_retries
        rendering.note_render_failure(document_id=document_id, error=error, final=final)
        if final:
            return None
        if self.request.is_eager:
            # In-process (no broker, CELERY_TASK_EAGER_PROPAGATES): returning the Retry makes
            # Celery's eager apply() run the retry now instead of raising it to the caller.
            return self.retry(exc=error, throw=False)
        raise self.retry(exc=error) from error
    return document.render_state if document else None
