"""The render task through Redis and a real Celery worker: the PDF is made once."""

import os
import subprocess
import sys
import uuid
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection

from minutes import services, tasks
from minutes.models import SignedDocument
from tests.meetings.room.conftest import build_scene
from tests.minutes.flow import EDITS, run_meeting

pytestmark = pytest.mark.integration

WORKER_TIMEOUT = 90


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL"),
    reason="needs REDIS_URL and DATABASE_URL: a real worker process shares the test database",
)
def test_a_real_worker_renders_the_pdf_once(celery_eager, tmp_path):
    scene = build_scene()
    meeting = run_meeting(scene)
    services.save_edits(actor=scene.recorder.user, meeting=meeting, edits=EDITS)
    # The approval's own message would go to the default queue; this test sends to its own.
    with mock.patch("minutes.services.enqueue_render"):
        services.approve(actor=scene.recorder.user, meeting=meeting)
    document = SignedDocument.objects.get(minutes__meeting=meeting)
    celery_eager.conf.task_always_eager = False
    queue = f"chibo-test-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.meetings.worker_settings",
        "CHIBO_TEST_DATABASE_NAME": str(connection.settings_dict["NAME"]),
        "CHIBO_TEST_MAIL_DIR": str(mail_dir),
        "CELERY_EAGER": "0",
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    worker = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
            f"--queues={queue}", f"--hostname={queue}@%h", "--without-gossip",
            "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        kwargs = {"document_id": document.pk}
        first = tasks.render_document.apply_async(kwargs=kwargs, queue=queue)
        second = tasks.render_document.apply_async(kwargs=kwargs, queue=queue)
        results = (first.get(timeout=WORKER_TIMEOUT), second.get(timeout=WORKER_TIMEOUT))
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")

    document.refresh_from_db()
    assert results == ("succeeded", "succeeded"), output
    assert document.render_attempts == 1
    assert bytes(document.rendered_pdf).startswith(b"%PDF-")
    assert document.status == "awaiting_signatures"
