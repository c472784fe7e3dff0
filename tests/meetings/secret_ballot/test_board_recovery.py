"""The board's failure cases must not leave a meeting stuck: the chair changes a board whose
member dropped out during the key ceremony, and annuls a count too few board members remain
to finish (the vote ends void, no decision, no attempt; the question is put again)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string

from meetings.models import (
    BallotBoard,
    BallotReceipt,
    EncryptedBallot,
    MeetingEvent,
    Vote,
)
from meetings.services import attendance
from meetings.services.secret_ballot import ceremony, counting
from meetings.services.voting import closing
from minutes import drafting
from minutes.document import Integrity
from tests.meetings.room.test_services import open_item, open_vote, started
from tests.meetings.secret_ballot.pages import BoardPage, cast_encrypted, key_ceremony
from tests.meetings.secret_ballot.test_room import (
    board_members,
    encrypted_admission,
    refused,
    voting_vote,
)

pytestmark = pytest.mark.integration


def change(scene, vote_id, members, actor=None):
    return ceremony.change_board(
        meeting_id=scene.meeting.pk,
        actor=(actor or scene.chair).user,
        vote_id=vote_id,
        members=[m.pk for m in members],
    )


def annul(scene, vote_id, actor=None):
    return counting.annul(
        meeting_id=scene.meeting.pk, actor=(actor or scene.chair).user, vote_id=vote_id
    )


def last_event(scene, kind):
    return MeetingEvent.objects.filter(meeting=scene.meeting, event=kind).order_by("seq").last()


def test_the_chair_changes_the_board_when_a_member_drops_out_and_the_new_board_counts(scene):
    vote = encrypted_admission(scene)
    old = board_members(scene, vote)
    pages = [BoardPage(scene, m, vote["vote"]) for m in old]
    pages[0].commit()
    pages[1].commit()  # the third board member's page closed before committing
    old_commitments = BallotBoard.objects.get(vote_id=vote["vote"]).commitments
    spare = next(m for m in scene.officials if m not in old)

    changed = change(scene, vote["vote"], [old[0], old[1], spare])

    board = BallotBoard.objects.get(vote_id=vote["vote"])
    assert board.members == [old[0].pk, old[1].pk, spare.pk]
    assert (board.threshold, board.phase, board.commitments, board.key) == (2, "keying", {}, "")
    assert board.manifest["board"] == [old[0].pk, old[1].pk, spare.pk]
    assert board.manifest["threshold"] == 2
    # The old board and its discarded commitments stay in the event log.
    logged = last_event(scene, "board.changed").payload
    assert logged == changed
    assert logged["replaced"]["members"] == [m.pk for m in old]
    assert logged["replaced"]["commitments"] == old_commitments
    assert logged["replaced"]["dealt"] == []
    # A commitment made for the old manifest does not pass under the new one.
    refused("bad_proof", pages[0].call, ceremony.commit, commitment=pages[0].sent)
    # The dropped member is no longer on the board.
    refused("forbidden", pages[2].call, ceremony.commit, commitment=pages[1].sent)

    new_pages = key_ceremony(scene, vote["vote"], [old[0], old[1], spare])
    assert BallotBoard.objects.get(vote_id=vote["vote"]).phase == "voting"
    voters = [scene.chair, scene.recorder, *scene.officials]
    for member, choice in zip(voters, ["yes", "yes", "yes", "yes", "no"], strict=True):
        cast_encrypted(scene, member, vote["vote"], [choice])
    closing.close_vote(meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=vote["vote"])
    new_pages[0].decrypt()
    closed = new_pages[2].decrypt()
    assert closed["result"]["tally"] == {"yes": 4, "no": 1}
    assert closed["result"]["decision"]["status"] == "passed"
    out = io.StringIO()
    call_command("verify_ballot", str(vote["vote"]), stdout=out)
    assert "4" in out.getvalue()


def test_only_members_who_may_vote_and_are_present_may_sit_on_the_board(scene):
    vote = encrypted_admission(scene)
    # Only the chair may change it.
    refused("forbidden", change, scene, vote["vote"], [scene.officials[0]], actor=scene.recorder)
    # Not a probationary member (no vote, R-R1), nor a member meeting here temporarily.
    a, b, c = scene.officials
    refused("not_eligible", change, scene, vote["vote"], [scene.chair, a, scene.probationary])
    refused("not_eligible", change, scene, vote["vote"], [scene.chair, a, scene.temporary])
    # Not a member who has left the meeting (marked absent) since the vote opened.
    attendance.mark(
        meeting_id=scene.meeting.pk,
        actor=scene.chair.user,
        member_id=scene.officials[2].pk,
        status="absent_with_reason",
        reason="Đi công tác đột xuất",
    )
    refused("not_eligible", change, scene, vote["vote"], [scene.chair, a, c])
    # Nor one who has left the cell (transferred out) since.
    b.home_cell = scene.guest_cell
    b.save(update_fields=["home_cell"])
    refused("not_eligible", change, scene, vote["vote"], [scene.chair, a, b])
    b.home_cell = scene.cell
    b.save(update_fields=["home_cell"])
    # Three distinct members while three or more may serve: the chair may not shrink the board
    # (a board of one would hold the whole key).
    refused("bad_message", change, scene, vote["vote"], [])
    refused("bad_message", change, scene, vote["vote"], [scene.chair])
    refused("bad_message", change, scene, vote["vote"], [scene.chair, a])
    refused("bad_message", change, scene, vote["vote"], [scene.chair, scene.recorder, a, b])
    refused("bad_message", change, scene, vote["vote"], [scene.chair, scene.chair, a])
    assert BallotBoard.objects.get(vote_id=vote["vote"]).members == vote["board"]["members"]


def test_the_default_board_never_holds_a_probationary_member(scene):
    # A probationary member who comes before the others by id, present.
    scene.officials[0].standing = "probationary"
    scene.officials[0].save(update_fields=["standing"])
    started(scene)
    open_item(scene, 1)
    vote = open_vote(scene, "admission", "Kết nạp", method="secret_ballot", encrypted=True)

    assert vote["board"]["members"] == [scene.chair.pk, scene.recorder.pk, scene.officials[1].pk]
    refused(
        "not_eligible",
        change,
        scene,
        vote["vote"],
        [scene.chair, scene.officials[0], scene.recorder],
    )


def test_a_board_of_one_when_the_chair_alone_may_serve_holds_the_whole_key(scene):
    vote = encrypted_admission(scene)
    # The others were called away during the ceremony (the chair marks them absent).
    for member in (scene.recorder, *scene.officials):
        attendance.mark(
            meeting_id=scene.meeting.pk,
            actor=scene.chair.user,
            member_id=member.pk,
            status="absent_with_reason",
            reason="Được gọi đi làm nhiệm vụ",
        )
    change(scene, vote["vote"], [scene.chair])
    board = BallotBoard.objects.get(vote_id=vote["vote"])
    assert (board.members, board.threshold) == ([scene.chair.pk], 1)

    (page,) = key_ceremony(scene, vote["vote"], [scene.chair])
    cast_encrypted(scene, scene.chair, vote["vote"], ["yes"])
    cast_encrypted(scene, scene.recorder, vote["vote"], ["no"])
    closing.close_vote(meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=vote["vote"])
    closed = page.decrypt()
    assert closed["result"]["tally"] == {"yes": 1, "no": 1}


def test_the_board_cannot_be_changed_once_ballots_may_be_cast(scene):
    vote, _pages = voting_vote(scene)
    refused("conflict", change, scene, vote["vote"], [scene.chair])


def test_the_chair_annuls_a_count_too_few_board_members_remain_to_finish(scene):
    vote, pages = voting_vote(scene)
    voters = [scene.chair, scene.recorder, *scene.officials]
    trackers = [
        cast_encrypted(scene, m, vote["vote"], [c])["tracker"]
        for m, c in zip(voters, ["yes", "yes", "no", "yes", "abstain"], strict=True)
    ]
    closing.close_vote(meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=vote["vote"])
    pages[0].decrypt()  # board members 2 and 3 left the meeting: 1 of the 2 needed
    # Only the chair annuls.
    refused("forbidden", annul, scene, vote["vote"], actor=scene.recorder)

    voided = annul(scene, vote["vote"])

    stored = Vote.objects.get(pk=vote["vote"])
    assert stored.status == "void"
    assert "decision" not in stored.result
    assert (stored.result["cast"], stored.result["eligible"], stored.result["base"]) == (5, 5, 5)
    assert stored.result["trackers"] == sorted(trackers)
    void = stored.result["void"]
    assert void["reason"] == "board_short"
    assert void["missing"] == [pages[1].member.pk, pages[2].member.pk]
    assert pages[1].member.full_name in void["explanation"]
    assert "cần 2 trong 3" in void["explanation"]
    assert last_event(scene, "vote.voided").payload == voided
    assert not MeetingEvent.objects.filter(meeting=scene.meeting, event="vote.closed").exists()
    # Nothing is deleted, and a void vote is final: a late board member's part is refused.
    assert EncryptedBallot.objects.filter(vote_id=vote["vote"]).count() == 5
    assert BallotReceipt.objects.filter(vote_id=vote["vote"]).count() == 5
    board = BallotBoard.objects.get(vote_id=vote["vote"])
    assert board.phase == "void"
    assert list(board.decryptions) == ["1"]
    refused("conflict", pages[1].decrypt)
    refused("vote_closed", annul, scene, vote["vote"])
    with pytest.raises(CommandError):
        call_command("verify_ballot", str(vote["vote"]), stdout=io.StringIO())

    # The same question again: the void vote was no attempt in the charter's sense.
    again = open_vote(
        scene, "admission", "Kết nạp quần chúng Phạm Văn A", method="secret_ballot", encrypted=True
    )
    assert again["attempt"] == stored.attempt == 1
    assert len(again["board"]["members"]) == 3

    # The minutes print it as a vote that could not be counted, with the reason.
    integrity = Integrity(document_id="d", event_chain_head="0" * 64, verification_url="")
    document = drafting.draft_minutes(scene.meeting, drafting.Edits(), integrity)
    printed = [v for item in document.items for v in item.votes if v.void]
    assert len(printed) == 1
    assert printed[0].outcome == "KHÔNG KIỂM ĐƯỢC PHIẾU"
    assert printed[0].participants == 5
    html = render_to_string("minutes/pdf/_vote.html", {"vote": printed[0]})
    assert "KHÔNG KIỂM ĐƯỢC PHIẾU" in html
    assert pages[2].member.full_name in html
    assert "tán thành 0" not in html
    # Said once: the outcome, then the reason (which says it has no result and is no attempt).
    text = " ".join(html.split())
    assert 'Kết quả: <span class="outcome">KHÔNG KIỂM ĐƯỢC PHIẾU</span>.' in text
    assert text.count("không tính là một lần biểu quyết") == 1


def test_a_vote_closed_before_the_key_is_made_ends_void_not_failed(scene):
    vote = encrypted_admission(scene)
    pages = [BoardPage(scene, m, vote["vote"]) for m in board_members(scene, vote)]
    pages[0].commit()

    closing.close_vote(meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=vote["vote"])

    stored = Vote.objects.get(pk=vote["vote"])
    assert stored.status == "void"
    assert stored.result["void"]["reason"] == "board_keying"
    assert stored.result["void"]["missing"] == [p.member.pk for p in pages]
    again = open_vote(scene, "admission", "Kết nạp", method="secret_ballot", encrypted=True)
    assert again["attempt"] == 1


def test_annulling_is_refused_while_the_vote_takes_ballots_and_after_the_count(scene):
    vote, pages = voting_vote(scene)
    cast_encrypted(scene, scene.chair, vote["vote"], ["yes"])
    refused("conflict", annul, scene, vote["vote"])
    closing.close_vote(meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=vote["vote"])
    pages[0].decrypt()
    pages[1].decrypt()
    refused("vote_closed", annul, scene, vote["vote"])
    plain = open_vote(scene, "admission", "Kết nạp (giơ tay)")
    refused("not_found", annul, scene, plain["vote"])


def test_closing_again_while_the_board_counts_says_the_vote_is_already_closed(scene):
    # The chair's second "Kết thúc biểu quyết" (a double click, or a page that had not yet
    # heard of the count) is told the vote is closed and being counted, not "reload the page".
    vote, pages = voting_vote(scene)
    cast_encrypted(scene, scene.chair, vote["vote"], ["yes"])
    close = closing.close_vote
    close(meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=vote["vote"])

    again = refused(
        "vote_closed", close, meeting_id=scene.meeting.pk, actor=scene.chair.user,
        vote_id=vote["vote"],
    )  # fmt: skip

    assert again.message == "Biểu quyết đã kết thúc; ban kiểm phiếu đang kiểm phiếu."
    board = BallotBoard.objects.get(vote_id=vote["vote"])
    assert (board.phase, board.decryptions) == ("counting", {})
    pages[0].decrypt()
    assert pages[1].decrypt()["result"]["tally"] == {"yes": 1}


def test_the_minutes_tell_the_question_put_again_from_the_void_one(scene):
    vote, pages = voting_vote(scene)
    for member in (scene.chair, scene.recorder):
        cast_encrypted(scene, member, vote["vote"], ["yes"])
    closing.close_vote(meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=vote["vote"])
    pages[0].decrypt()
    annul(scene, vote["vote"])
    # "Bỏ phiếu lại": the same question, void again, then counted.
    question = "Kết nạp quần chúng Phạm Văn A"
    for counted in (False, True):
        again = open_vote(scene, "admission", question, method="secret_ballot", encrypted=True)
        board = key_ceremony(scene, again["vote"], board_members(scene, again))
        cast_encrypted(scene, scene.chair, again["vote"], ["yes"])
        closing.close_vote(
            meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=again["vote"]
        )
        board[0].decrypt()
        if counted:
            board[1].decrypt()
        else:
            annul(scene, again["vote"])

    integrity = Integrity(document_id="d", event_chain_head="0" * 64, verification_url="")
    document = drafting.draft_minutes(scene.meeting, drafting.Edits(), integrity)

    printed = [v for item in document.items for v in item.votes]
    assert [(v.heading, v.void) for v in printed] == [
        ("Kết nạp quần chúng Phạm Văn A", True),
        ("Kết nạp quần chúng Phạm Văn A (bỏ phiếu lại)", True),
        ("Kết nạp quần chúng Phạm Văn A (bỏ phiếu lại lần 2)", False),
    ]
    html = render_to_string("minutes/pdf/_vote.html", {"vote": printed[2]})
    assert "Biểu quyết: Kết nạp quần chúng Phạm Văn A (bỏ phiếu lại lần 2)" in html
