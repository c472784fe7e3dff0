"""The render task through Redis and a real Celery worker: the PDF is made once."""

import os
from unittest import mock

import pytest

from minutes import tasks
from minutes.models import SignedDocument
from minutes.services import approval, drafting
from tests.meetings.room.conftest import build_scene
from tests.minutes.flow import EDITS, run_meeting

pytestmark = pytest.mark.integration

WORKER_TIMEOUT = 90


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL"),
    reason="needs REDIS_URL and DATABASE_URL: a real worker process shares the test database",
)
def test_a_real_worker_renders_the_pdf_once(real_worker):
    scene = build_scene()
    meeting = run_meeting(scene)
    drafting.save_edits(actor=scene.recorder.user, meeting=meeting, edits=EDITS)
    # Approving would render in-process; here the real worker must do it.
    with mock.patch("minutes.services.issuing.enqueue_render"):
        approval.approve(actor=scene.recorder.user, meeting=meeting)
    document = SignedDocument.objects.get(minutes__meeting=meeting)

    with real_worker.through_redis():
        kwargs = {"document_id": document.pk}
        first = tasks.render_document.apply_async(kwargs=kwargs, queue=real_worker.queue)
        second = tasks.render_document.apply_async(kwargs=kwargs, queue=real_worker.queue)
        results = (first.get(timeout=WORKER_TIMEOUT), second.get(timeout=WORKER_TIMEOUT))
    output = real_worker.stop()

    document.refresh_from_db()
    assert results == ("succeeded", "succeeded"), output
    assert document.render_attempts == 1
    assert bytes(document.rendered_pdf).startswith(b"%PDF-")
    assert document.status == "awaiting_signatures"
