"""An encrypted secret ballot in the live room, through the services the websocket commands
call: the board's key ceremony, ballots checked by their proofs, the count by two of the three
board members, the charter's decision and the published record."""

import io
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string

from meetings.errors import RuleViolation
from meetings.models import BallotBoard, BallotReceipt, EncryptedBallot, Meeting, Vote
from meetings.room import room_state
from meetings.secret_ballot import record
from meetings.services.secret_ballot import ceremony, counting
from meetings.services.voting import casting, closing
from minutes import vote_records
from tests.conftest import sign_in_verified
from tests.meetings.room.conftest import build_scene
from tests.meetings.room.test_services import open_item, open_vote, started
from tests.meetings.secret_ballot.pages import (
    BoardPage,
    cast_encrypted,
    encrypted_ballot,
    key_ceremony,
)

pytestmark = pytest.mark.integration


def refused(code, call, *args, **kwargs):
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    assert caught.value.reason == code, caught.value.message
    return caught.value


def encrypted_admission(scene):
    started(scene)
    open_item(scene, 1)
    vote = open_vote(
        scene,
        "admission",
        "Kết nạp quần chúng Phạm Văn A",
        method="secret_ballot",
        encrypted=True,
    )
    return vote


def test_the_board_is_the_chair_and_two_members_present_any_two_of_them_count(scene):
    vote = encrypted_admission(scene)

    board = vote["board"]
    assert board["members"][0] == scene.chair.pk
    assert len(board["members"]) == 3
    assert board["threshold"] == 2
    assert board["phase"] == "keying"
    assert set(board["members"]) <= set(vote["eligible"])


def test_a_ballot_before_the_key_is_made_is_refused(scene):
    vote = encrypted_admission(scene)
    members = BallotBoard.objects.get(vote_id=vote["vote"]).members
    board = [m for m in [scene.chair, scene.recorder, *scene.officials] if m.pk in members]
    pages = [BoardPage(scene, m, vote["vote"]) for m in board]
    pages[0].commit()

    refused(
        "not_ready",
        casting.cast_ballot,
        meeting_id=scene.meeting.pk,
        actor=scene.officials[2].user,
        vote_id=vote["vote"],
        ballot_id=str(uuid.uuid4()),
        encrypted={"selections": [], "sum_proof": []},
    )
    # Only a board member takes part in the ceremony; dealing waits for every commitment.
    outsider = next(m for m in [scene.chair, scene.recorder, *scene.officials] if m not in board)
    refused(
        "forbidden",
        ceremony.commit,
        meeting_id=scene.meeting.pk,
        actor=outsider.user,
        vote_id=vote["vote"],
        commitment=pages[1].private.commitment(),
    )
    refused("conflict", pages[0].deal)


def board_members(scene, vote):
    members = BallotBoard.objects.get(vote_id=vote["vote"]).members
    everyone = [scene.chair, scene.recorder, *scene.officials]
    return sorted((m for m in everyone if m.pk in members), key=lambda m: members.index(m.pk))


def voting_vote(scene):
    vote = encrypted_admission(scene)
    pages = key_ceremony(scene, vote["vote"], board_members(scene, vote))
    assert BallotBoard.objects.get(vote_id=vote["vote"]).phase == "voting"
    return vote, pages


def test_two_of_three_board_members_count_and_the_charter_decides(scene):
    vote, pages = voting_vote(scene)
    voters = [scene.chair, scene.recorder, *scene.officials[:2]]
    choices = ["yes", "yes", "no", "yes"]
    trackers = [
        cast_encrypted(scene, m, vote["vote"], [c])["tracker"]
        for m, c in zip(voters, choices, strict=True)
    ]

    count_started = closing.close_vote(
        meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=vote["vote"]
    )
    assert count_started["trackers"] == sorted(trackers)
    assert Vote.objects.get(pk=vote["vote"]).status == "open"  # until the board has counted
    refused("vote_closed", cast_encrypted, scene, scene.officials[2], vote["vote"], ["yes"])
    # Board member 2 has closed the page; 1 and 3 count.
    first = pages[0].decrypt()
    assert first["board"]["decrypted"] == [1]
    closed = pages[2].decrypt()

    result = closed["result"]
    assert result["tally"] == {"yes": 3, "no": 1}
    assert result["cast"] == 4
    # Admission needs two thirds of N = 5: 3 is not enough, decided as for any vote.
    assert (result["decision"]["status"], result["decision"]["required"]) == ("failed", 4)
    assert result["trackers"] == sorted(trackers)
    board = BallotBoard.objects.get(vote_id=vote["vote"])
    verified = record.verify(board.record.encode())
    assert verified.fingerprint == result["fingerprint"] == board.fingerprint
    assert verified.counts == {"yes": 3, "no": 1, "abstain": 0}
    # A board member late with its part is told the count is done.
    refused("conflict", pages[1].decrypt)


def test_a_malformed_or_replayed_ballot_is_refused_and_not_stored(scene):
    vote, _pages = voting_vote(scene)
    refused("bad_proof", cast_encrypted, scene, scene.chair, vote["vote"], ["yes", "no"])
    refused(
        "bad_proof",
        cast_encrypted,
        scene,
        scene.chair,
        vote["vote"],
        [],
        ballot={"selections": "x", "sum_proof": 1},
    )
    ok = encrypted_ballot(vote["vote"], ["no"])
    cast_encrypted(scene, scene.chair, vote["vote"], [], ballot=ok)
    # The same ballot sent by someone else (copying a ballot) is refused.
    refused("conflict", cast_encrypted, scene, scene.recorder, vote["vote"], [], ballot=ok)
    assert EncryptedBallot.objects.filter(vote_id=vote["vote"]).count() == 1
    assert BallotReceipt.objects.filter(vote_id=vote["vote"]).count() == 1


def test_a_ballot_from_another_vote_is_refused(scene):
    vote, pages = voting_vote(scene)
    old = encrypted_ballot(vote["vote"], ["yes"])
    closing.close_vote(meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=vote["vote"])
    pages[0].decrypt()
    pages[1].decrypt()
    again = open_vote(scene, "admission", "Kết nạp (lần 2)", method="secret_ballot", encrypted=True)
    key_ceremony(scene, again["vote"], board_members(scene, again))

    refused("bad_proof", cast_encrypted, scene, scene.chair, again["vote"], [], ballot=old)


def test_a_wrong_partial_decryption_is_refused_and_names_the_member(scene):
    vote, pages = voting_vote(scene)
    cast_encrypted(scene, scene.chair, vote["vote"], ["yes"])
    closing.close_vote(meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=vote["vote"])
    wrong = pages[1].private.partial_decryption(BallotBoard.objects.get(vote_id=vote["vote"]).tally)
    wrong["shares"][0]["d"] = wrong["shares"][1]["d"]

    error = refused("bad_decryption", pages[1].call, counting.decrypt, partial=wrong)
    assert "số 2" in error.message
    assert BallotBoard.objects.get(vote_id=vote["vote"]).decryptions == {}
    pages[0].decrypt()
    assert pages[2].decrypt()["result"]["tally"] == {"yes": 1}


def test_a_board_member_who_reconnects_sends_the_same_parts_once(scene):
    vote = encrypted_admission(scene)
    pages = [BoardPage(scene, m, vote["vote"]) for m in board_members(scene, vote)]
    for page in pages:
        page.commit()
    assert pages[0].commit() == {"vote": vote["vote"], "duplicate": True}
    shares = pages[0].private.shares(
        {int(i): c for i, c in BallotBoard.objects.get(vote_id=vote["vote"]).commitments.items()}
    )["shares"]
    pages[0].call(ceremony.deal, shares=shares)
    assert pages[0].call(ceremony.deal, shares=shares)["duplicate"] is True
    refused("conflict", pages[0].deal)  # other shares: refused, the first ones stand
    # A page that reconnects finds what it sent in the snapshot and resumes from there.
    shown = room_state(Meeting.objects.get(pk=scene.meeting.pk), None)["votes"][-1]["board"]
    assert shown["commitments"]["1"] == pages[0].sent
    assert shown["sealed"]["1"]["shares"] == shares
    assert shown["phase"] == "keying"


def test_verify_ballot_checks_the_stored_record_and_an_exported_file(scene, tmp_path):
    vote, pages = voting_vote(scene)
    for member, choice in zip([scene.chair, scene.recorder], ["yes", "abstain"], strict=True):
        cast_encrypted(scene, member, vote["vote"], [choice])
    closing.close_vote(meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=vote["vote"])
    pages[1].decrypt()
    fingerprint = pages[2].decrypt()["result"]["fingerprint"]
    exported = tmp_path / "phieu-kin.json"
    out = io.StringIO()

    call_command("verify_ballot", str(vote["vote"]), "--export", str(exported), stdout=out)

    assert "HỢP LỆ" in out.getvalue()
    assert fingerprint in out.getvalue()
    assert "yes: 1, no: 0, abstain: 1" in out.getvalue()
    out = io.StringIO()
    call_command("verify_ballot", "--file", str(exported), stdout=out)
    assert fingerprint in out.getvalue()
    changed = bytearray(exported.read_bytes())
    changed[len(changed) // 2] ^= 1
    exported.write_bytes(bytes(changed))
    with pytest.raises(CommandError, match="KHÔNG HỢP LỆ"):
        call_command("verify_ballot", "--file", str(exported))
    # A record altered in the database fails too.
    board = BallotBoard.objects.get(vote_id=vote["vote"])
    board.record = board.record.replace('"abstain":1', '"abstain":0').replace('"no":0', '"no":1')
    board.save()
    with pytest.raises(CommandError, match="KHÔNG HỢP LỆ"):
        call_command("verify_ballot", str(vote["vote"]))


def test_the_minutes_print_the_board_and_the_tally_fingerprint(scene):
    vote, pages = voting_vote(scene)
    for member, chosen in zip(
        [scene.chair, scene.recorder, scene.officials[0]], ["yes", "no", "abstain"], strict=True
    ):
        cast_encrypted(scene, member, vote["vote"], [chosen])
    closing.close_vote(meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=vote["vote"])
    pages[0].decrypt()
    fingerprint = pages[1].decrypt()["result"]["fingerprint"]
    names = {m.pk: m.full_name for m in [scene.chair, scene.recorder, *scene.officials]}

    printed = vote_records.vote_record(Vote.objects.get(pk=vote["vote"]), names)

    assert printed.ballot_count.fingerprint == fingerprint
    assert printed.ballot_count.board[0] == scene.chair.full_name
    assert len(printed.ballot_count.board) == 3
    html = render_to_string("minutes/pdf/_vote.html", {"vote": printed})
    assert fingerprint in html
    # The options read mid-sentence in the count line: lower case, as the result line has them.
    assert (
        "không hợp lệ 0; tán thành: 1 phiếu; không tán thành: 1 phiếu; không biểu quyết: 1 phiếu."
        in " ".join(html.split())
    )


def test_the_counting_boards_record_lists_every_option_zeros_included(scene):
    vote, pages = voting_vote(scene)
    cast_encrypted(scene, scene.chair, vote["vote"], ["yes"])
    closing.close_vote(meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=vote["vote"])
    pages[0].decrypt()
    pages[1].decrypt()
    names = {m.pk: m.full_name for m in [scene.chair, scene.recorder, *scene.officials]}

    printed = vote_records.vote_record(Vote.objects.get(pk=vote["vote"]), names)

    # The votes per option, as the room shows them: an option no one chose reads 0, not absent.
    assert [(o.label, o.votes) for o in printed.ballot_count.options] == [
        ("tán thành", 1),
        ("không tán thành", 0),
        ("không biểu quyết", 0),
    ]


def test_the_record_downloads_for_the_meeting_only_once_counted(scene, client):
    vote, pages = voting_vote(scene)
    cast_encrypted(scene, scene.chair, vote["vote"], ["no"])
    url = f"/sinh-hoat/{scene.meeting.pk}/phieu-kin/{vote['vote']}.json"
    sign_in_verified(client, scene.officials[2].user)
    assert client.get(url).status_code == 404  # not counted yet
    closing.close_vote(meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=vote["vote"])
    pages[0].decrypt()
    fingerprint = pages[1].decrypt()["result"]["fingerprint"]

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert record.verify(response.content).fingerprint == fingerprint
    stranger = build_scene()
    sign_in_verified(client, stranger.officials[0].user)
    assert client.get(url).status_code == 404


def test_an_encrypted_election_and_discipline_are_decided_as_in_the_clear(in_person_scene):
    scene = in_person_scene
    started(scene)
    open_item(scene, 2)
    a, b, c = scene.officials
    voters = [scene.chair, scene.recorder, a, b, c]
    election = open_vote(
        scene,
        "election",
        "Bầu chi ủy",
        options={"candidates": [a.pk, b.pk, c.pk], "seats": 2},
        encrypted=True,
    )
    pages = key_ceremony(scene, election["vote"], board_members(scene, election))
    for member, chosen in zip(
        voters, [[a.pk, b.pk], [a.pk, b.pk], [a.pk, c.pk], [a.pk], [b.pk, c.pk]], strict=True
    ):
        cast_encrypted(scene, member, election["vote"], [str(x) for x in chosen])
    closing.close_vote(
        meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=election["vote"]
    )
    pages[0].decrypt()
    result = pages[1].decrypt()["result"]
    assert result["tally"] == {str(a.pk): 4, str(b.pk): 3, str(c.pk): 2}
    assert result["decision"]["elected"] == [a.pk, b.pk]

    open_item(scene, 1)
    discipline = open_vote(
        scene,
        "discipline",
        "Kỷ luật đồng chí 3",
        options={"subject": c.pk, "forms": ["khien_trach", "canh_cao"]},
        encrypted=True,
    )
    pages = key_ceremony(scene, discipline["vote"], board_members(scene, discipline))
    forms = ["khien_trach", "khien_trach", "none", "canh_cao"]
    for member, form in zip(voters[:4], forms, strict=True):
        cast_encrypted(scene, member, discipline["vote"], [form])
    closing.close_vote(
        meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=discipline["vote"]
    )
    pages[1].decrypt()
    result = pages[2].decrypt()["result"]
    assert result["tally"] == {"khien_trach": 2, "canh_cao": 1, "none": 1}
    # Counted down from the most severe form (R-D3): warning 1, reprimand 2 + 1 = 3 of 3.
    assert (result["decision"]["status"], result["decision"]["form"]) == ("passed", "khien_trach")

    # The minutes' count lines: forms mid-sentence in lower case, candidates' names as written.
    names = {m.pk: m.full_name for m in voters}
    counts = [
        vote_records.vote_record(Vote.objects.get(pk=v["vote"]), names).ballot_count
        for v in (election, discipline)
    ]
    printed = [{o.label: o.votes for o in count.options} for count in counts]
    assert printed == [
        {a.full_name: 4, b.full_name: 3, c.full_name: 2},
        {"khiển trách": 2, "cảnh cáo": 1, "không kỷ luật": 1},
    ]


def test_a_vote_closed_before_the_board_made_its_key_ends_void_with_no_ballots(scene):
    vote = encrypted_admission(scene)
    pages = [BoardPage(scene, m, vote["vote"]) for m in board_members(scene, vote)]
    pages[0].commit()  # the other two never come

    closed = closing.close_vote(
        meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=vote["vote"]
    )

    # Not a failed attempt: void, no decision (tests/meetings/secret_ballot/test_board_recovery).
    assert closed["result"]["cast"] == 0
    assert "decision" not in closed["result"]
    assert Vote.objects.get(pk=vote["vote"]).status == "void"
    refused("vote_closed", cast_encrypted, scene, scene.recorder, vote["vote"], ["yes"], ballot={})


def test_every_secret_ballot_is_encrypted_and_the_chair_cannot_opt_out(scene):
    started(scene)
    open_item(scene, 1)

    asked_plain = open_vote(scene, "admission", "Kết nạp", method="secret_ballot", encrypted=False)

    assert asked_plain["board"]["phase"] == "keying"
    refused(
        "not_ready",
        casting.cast_ballot,
        meeting_id=scene.meeting.pk,
        actor=scene.officials[0].user,
        vote_id=asked_plain["vote"],
        ballot_id=str(uuid.uuid4()),
        choice="yes",
        receipt="AAAAAAAAAA",
    )
    assert not BallotReceipt.objects.filter(vote_id=asked_plain["vote"]).exists()


def test_a_show_of_hands_has_no_board(scene):
    started(scene)
    open_item(scene, 2)

    opened = open_vote(scene, "resolution", "Thông qua nghị quyết tháng", encrypted=True)

    assert "board" not in opened
    assert not BallotBoard.objects.filter(vote_id=opened["vote"]).exists()
