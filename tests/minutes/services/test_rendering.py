"""The render task's body: retried on failure, shown in plain words, retried by hand; started
by name, in-process by default."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from meetings.errors import RuleViolation
from meetings.models import MeetingEvent
from minutes.models import DocumentStatus, RenderState, SignedDocument
from minutes.services import approval, drafting, rendering, signing
from tests.minutes.flow import EDITS, code_for, run_meeting

pytestmark = pytest.mark.integration


def test_a_failing_render_is_retried_then_shown_in_plain_words_and_can_be_retried(
    scene, django_capture_on_commit_callbacks
):
    meeting = run_meeting(scene)
    drafting.save_edits(actor=scene.recorder.user, meeting=meeting, edits=EDITS)
    # The event log no longer verifies: the PDF must not print a head hash.
    event = MeetingEvent.objects.filter(meeting=meeting).order_by("seq").first()
    MeetingEvent.objects.filter(pk=event.pk).update(payload={"forged": True})

    with django_capture_on_commit_callbacks(execute=True):
        approval.approve(actor=scene.recorder.user, meeting=meeting)

    document = SignedDocument.objects.get(minutes__meeting=meeting)
    assert (document.render_state, document.status) == ("failed", "render_failed")
    assert document.render_attempts == 4  # the first run and three retries
    assert "nhật ký sự kiện của buổi sinh hoạt không toàn vẹn" in document.render_error
    assert document.rendered_pdf is None
    with pytest.raises(RuleViolation, match="chưa tạo xong"):
        signing.sign_document(
            actor=scene.chair.user, document=document, code=code_for(scene.chair.user)
        )

    MeetingEvent.objects.filter(pk=event.pk).update(payload=event.payload)
    with django_capture_on_commit_callbacks(execute=True):
        rendering.retry_render(actor=scene.chair.user, document=document)
    document.refresh_from_db()
    assert (document.render_state, document.render_error) == (RenderState.SUCCEEDED, "")


def test_the_render_task_started_by_name_runs_in_process_when_tasks_run_eagerly(
    scene, django_capture_on_commit_callbacks
):
    meeting = run_meeting(scene)
    drafting.save_edits(actor=scene.recorder.user, meeting=meeting, edits=EDITS)
    with django_capture_on_commit_callbacks(execute=False):  # approved, the render not started
        approval.approve(actor=scene.recorder.user, meeting=meeting)
    document = SignedDocument.objects.get(minutes__meeting=meeting)
    assert document.render_state == RenderState.QUEUED

    rendering.enqueue_render(document.pk)

    document.refresh_from_db()
    assert (document.render_state, document.status) == (
        RenderState.SUCCEEDED,
        DocumentStatus.AWAITING_SIGNATURES,
    )
    assert bytes(document.rendered_pdf).startswith(b"%PDF-")


def test_without_redis_the_task_name_finds_the_task_and_runs_it_in_process():
    """The embedded default, in a fresh process (the tests import minutes.tasks themselves): the
    name the services start the render by is registered once Django is set up, so the task runs
    in-process instead of being sent to a broker that is not there."""
    script = (
        "import django; django.setup()\n"
        "from celery import signature\n"
        "from minutes.services.rendering import RENDER_TASK\n"
        "task = signature(RENDER_TASK).type\n"
        "print(task.__module__, task.app.conf.task_always_eager)\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REDIS_URL": "",
        "CELERY_EAGER": "",
        "CELERY_BROKER_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout.split() == ["minutes.tasks", "True"], result.stderr
