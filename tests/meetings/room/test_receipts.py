"""A secret ballot's receipt code is exactly ten characters of A–Z and 2–7, as the page makes it:
nothing else is accepted, so no near-copy of a code is published beside it.

Receipt codes belong to the earlier, unencrypted secret ballot, which a deployment may still keep
(SECRET_BALLOT_ENCRYPTED=0); an encrypted ballot's tracker takes their place."""

import pytest

from tests.meetings.room.test_services import cast, close, open_item, open_vote, refused, started

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("unencrypted_secret_ballots")]


@pytest.fixture
def unencrypted_secret_ballots(settings):
    settings.SECRET_BALLOT_ENCRYPTED = False


@pytest.mark.parametrize(
    "receipt",
    ["AAAAAAAAAA\n", "AAAAAAAAAA\r\n", " AAAAAAAAAA", "AAAAAAAAAA ", "aaaaaaaaaa", "AAAAAAAAA1"],
    ids=["newline", "crlf", "leading-space", "trailing-space", "lower-case", "digit-1"],
)
def test_a_receipt_with_anything_more_or_different_is_refused(in_person_scene, receipt):
    scene = in_person_scene
    started(scene)
    open_item(scene, 1)
    vote = open_vote(scene, "discipline", "Kỷ luật", options={"subject": scene.officials[2].pk})

    refused("bad_message", cast, scene, scene.officials[0], vote, "none", receipt=receipt)


def test_only_well_formed_receipts_are_published(in_person_scene):
    scene = in_person_scene
    started(scene)
    open_item(scene, 1)
    vote = open_vote(scene, "discipline", "Kỷ luật", options={"subject": scene.officials[2].pk})
    cast(scene, scene.chair, vote, "none", receipt="AAAAAAAAAA")
    refused("bad_message", cast, scene, scene.recorder, vote, "none", receipt="AAAAAAAAAA\n")
    cast(scene, scene.recorder, vote, "none", receipt="BBBBBBBBBB")

    result = close(scene, vote)

    assert result["result"]["receipts"] == ["AAAAAAAAAA", "BBBBBBBBBB"]
