"""The meeting elects the vote-counting board by show of hands (R-V5, glossary "ban kiểm
phiếu"): the chair puts a proposed board to the meeting, the members vote like on any show of
hands, and the next secret ballot's board is the board adopted (docs/secret-ballot.md)."""

import pytest
from django.template.loader import render_to_string

from meetings.models import BallotBoard, Vote
from meetings.services import attendance
from meetings.services.secret_ballot import ceremony
from meetings.services.voting import closing
from minutes import drafting
from minutes.document import Integrity
from tests.meetings.room.test_services import cast, close, open_item, open_vote, started
from tests.meetings.secret_ballot.pages import cast_encrypted, key_ceremony
from tests.meetings.secret_ballot.test_room import board_members, refused

pytestmark = pytest.mark.integration

QUESTION = "Bầu ban kiểm phiếu"


def put_board(scene, members=None, **extra):
    options = {} if members is None else {"members": [m.pk for m in members]}
    return open_vote(scene, "board", QUESTION, options=options, **extra)


def hands(scene, vote, choices):
    """Chair, recorder and the three official members raise their hands, in that order."""
    for member, choice in zip(
        [scene.chair, scene.recorder, *scene.officials], choices, strict=True
    ):
        cast(scene, member, vote, choice)
    return close(scene, vote)


def secret_ballot(scene):
    return open_vote(
        scene, "admission", "Kết nạp quần chúng Phạm Văn A", method="secret_ballot", encrypted=True
    )


def close_encrypted(scene, vote):
    return closing.close_vote(
        meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=vote["vote"]
    )


def minutes_votes(scene):
    integrity = Integrity(document_id="d", event_chain_head="0" * 64, verification_url="")
    document = drafting.draft_minutes(scene.meeting, drafting.Edits(), integrity)
    return [v for item in document.items for v in item.votes]


def test_the_meeting_elects_the_board_and_the_secret_ballot_is_counted_by_it(scene):
    started(scene)
    open_item(scene, 1)
    a, b, c = scene.officials
    vote = put_board(scene, [a, b, c])
    assert (vote["kind"], vote["method"], vote["options"]) == (
        "board",
        "show_of_hands",
        {"members": [a.pk, b.pk, c.pk]},
    )

    closed = hands(scene, vote, ["yes", "yes", "yes", "no", "abstain"])

    decision = closed["result"]["decision"]
    assert (decision["status"], decision["yes"], decision["required"]) == ("passed", 3, 3)
    assert decision["rules"] == ["R-V5", "R-V3", "R-V2"]
    assert decision["explanation"].startswith("Biểu quyết thông qua ban kiểm phiếu")

    ballot = secret_ballot(scene)
    assert ballot["board"]["members"] == [a.pk, b.pk, c.pk]
    assert (ballot["board"]["chosen_by"], ballot["board"]["elected_by"]) == (
        "elected",
        vote["vote"],
    )
    assert ballot["board"]["note"] == ""
    assert ballot["board"]["manifest"]["board"] == [a.pk, b.pk, c.pk]

    # The elected board makes the key and counts, as the default board would.
    pages = key_ceremony(scene, ballot["vote"], [a, b, c])
    voters = [scene.chair, scene.recorder, a, b, c]
    for member, choice in zip(voters, ["yes", "yes", "yes", "yes", "no"], strict=True):
        cast_encrypted(scene, member, ballot["vote"], [choice])
    close_encrypted(scene, ballot)
    pages[1].decrypt()
    counted = pages[2].decrypt()
    assert counted["result"]["tally"] == {"yes": 4, "no": 1}

    # The minutes: the show of hands on the board with its members, and on the counting record
    # that the board was elected by the meeting.
    printed = minutes_votes(scene)
    board_vote = next(v for v in printed if v.board_members)
    assert board_vote.board_members == (a.full_name, b.full_name, c.full_name)
    assert board_vote.outcome == "THÔNG QUA"
    html = " ".join(render_to_string("minutes/pdf/_vote.html", {"vote": board_vote}).split())
    assert (
        f"Biểu quyết thông qua ban kiểm phiếu gồm các đồng chí {a.full_name}, {b.full_name}, "
        f"{c.full_name}: 3/5 tán thành."
    ) in html
    secret = next(v for v in printed if v.ballot_count)
    html = " ".join(render_to_string("minutes/pdf/_vote.html", {"vote": secret}).split())
    assert (
        f"(Ban kiểm phiếu: {a.full_name}, {b.full_name}, {c.full_name}; do hội nghị bầu bằng "
        "biểu quyết giơ tay)"
    ) in html


def test_the_default_proposal_is_the_default_board_and_a_rejected_board_is_not_used(scene):
    started(scene)
    open_item(scene, 1)
    a, b, c = scene.officials
    proposed = put_board(scene)
    default = ceremony.default_members(scene.chair.pk, proposed["eligible"])
    assert proposed["options"] == {"members": default}
    hands(scene, proposed, ["yes", "yes", "yes", "yes", "yes"])
    # A later proposal the meeting rejects (2 of 5: not more than half of N) changes nothing.
    rejected = put_board(scene, [a, b, c])
    assert (
        hands(scene, rejected, ["yes", "yes", "no", "no", "no"])["result"]["decision"]["status"]
        == "failed"
    )

    ballot = secret_ballot(scene)

    assert ballot["board"]["members"] == default
    assert (ballot["board"]["chosen_by"], ballot["board"]["elected_by"]) == (
        "elected",
        proposed["vote"],
    )


def test_without_a_board_vote_the_secret_ballot_has_the_default_board(scene):
    started(scene)
    open_item(scene, 1)

    ballot = secret_ballot(scene)

    expected = ceremony.default_members(scene.chair.pk, ballot["eligible"])
    assert ballot["board"]["members"] == expected
    assert (ballot["board"]["chosen_by"], ballot["board"]["elected_by"]) == ("default", None)
    close_encrypted(scene, ballot)  # in the key ceremony: void
    printed = minutes_votes(scene)
    assert all(not v.board_members for v in printed)


def test_only_official_members_present_who_may_vote_are_proposed_and_named_when_refused(scene):
    started(scene)
    open_item(scene, 1)
    a, b, c = scene.officials
    # A probationary member may not vote (R-R1), so may not sit on the board.
    caught = refused("not_eligible", put_board, scene, [scene.chair, a, scene.probationary])
    assert scene.probationary.full_name in caught.message
    caught = refused("not_eligible", put_board, scene, [scene.chair, a, scene.temporary])
    assert scene.temporary.full_name in caught.message
    # Nor a member marked absent.
    attendance.mark(
        meeting_id=scene.meeting.pk,
        actor=scene.chair.user,
        member_id=c.pk,
        status="absent_with_reason",
        reason="Đi công tác đột xuất",
    )
    caught = refused("not_eligible", put_board, scene, [scene.chair, a, c])
    assert c.full_name in caught.message
    # Three distinct members while three or more may serve.
    refused("bad_message", put_board, scene, [scene.chair, a])
    refused("bad_message", put_board, scene, [a, a, b])
    refused("bad_message", open_vote, scene, "board", QUESTION, options={"members": "a"})
    # By show of hands only (R-V5).
    refused("bad_message", put_board, scene, [scene.chair, a, b], method="secret_ballot")
    assert not Vote.objects.filter(meeting=scene.meeting, kind="board").exists()


def test_an_elected_member_who_may_no_longer_serve_gives_the_default_board_and_says_why(scene):
    started(scene)
    open_item(scene, 1)
    a, b, c = scene.officials
    elected = put_board(scene, [a, b, c])
    hands(scene, elected, ["yes", "yes", "yes", "yes", "yes"])
    attendance.mark(
        meeting_id=scene.meeting.pk,
        actor=scene.chair.user,
        member_id=c.pk,
        status="absent_with_reason",
        reason="Đi công tác đột xuất",
    )

    ballot = secret_ballot(scene)

    assert ballot["board"]["members"] == ceremony.default_members(
        scene.chair.pk, ballot["eligible"]
    )
    assert ballot["board"]["chosen_by"] == "default"
    assert c.full_name in ballot["board"]["note"]
    assert "theo mặc định" in ballot["board"]["note"]


def test_the_chair_may_still_change_an_elected_board_and_the_minutes_say_so(scene):
    started(scene)
    open_item(scene, 1)
    a, b, c = scene.officials
    elected = put_board(scene, [a, b, c])
    hands(scene, elected, ["yes", "yes", "yes", "yes", "yes"])
    ballot = secret_ballot(scene)

    changed = ceremony.change_board(
        meeting_id=scene.meeting.pk,
        actor=scene.chair.user,
        vote_id=ballot["vote"],
        members=[scene.chair.pk, a.pk, b.pk],
    )

    assert (changed["board"]["chosen_by"], changed["board"]["elected_by"]) == ("chair", None)
    board = BallotBoard.objects.get(vote_id=ballot["vote"])
    assert board.chosen_by == "chair"
    members = board_members(scene, ballot)
    pages = key_ceremony(scene, ballot["vote"], members)
    for member in [scene.chair, scene.recorder, a, b, c]:
        cast_encrypted(scene, member, ballot["vote"], ["yes"])
    close_encrypted(scene, ballot)
    pages[0].decrypt()
    pages[1].decrypt()
    secret = next(v for v in minutes_votes(scene) if v.ballot_count)
    assert secret.ballot_count.chosen == "do đồng chí chủ trì chỉ định"
