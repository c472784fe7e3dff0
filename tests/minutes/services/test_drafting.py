"""The draft through its service: every save a version, a stale form overwrites nothing."""

import pytest

from meetings.errors import RuleViolation
from minutes.drafting import Edits
from minutes.models import Minutes
from minutes.services import drafting
from tests.minutes.flow import run_meeting

pytestmark = pytest.mark.integration


def test_every_save_is_a_version_and_a_stale_form_overwrites_nothing(scene):
    meeting = run_meeting(scene)
    recorder, chair = scene.recorder.user, scene.chair.user

    drafting.save_edits(actor=recorder, meeting=meeting, edits=Edits(conclusion="Bản 1"))
    drafting.save_edits(
        actor=chair, meeting=meeting, edits=Edits(conclusion="Bản 2"), based_on_version=1
    )
    with pytest.raises(RuleViolation, match="vừa lưu phiên bản 2"):
        drafting.save_edits(
            actor=recorder, meeting=meeting, edits=Edits(conclusion="Bản cũ"), based_on_version=1
        )
    with pytest.raises(RuleViolation, match="chủ trì và thư ký"):
        drafting.save_edits(actor=scene.officials[0].user, meeting=meeting, edits=Edits())

    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.version == 2
    assert minutes.edits["conclusion"] == "Bản 2"
    assert [(v.number, v.edits["conclusion"], v.author) for v in minutes.versions.all()] == [
        (1, "Bản 1", scene.recorder),
        (2, "Bản 2", scene.chair),
    ]
