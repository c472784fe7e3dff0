"""The board's way out over the room's websocket, as the chair's page sends it: `board.change`
during the key ceremony (refused to anyone but the chair, and for a member who may not vote),
seen by every page as `board.changed`; `vote.annul` of a count that cannot finish, seen as
`vote.voided`."""

import uuid

import pytest
from asgiref.sync import sync_to_async

from meetings.models import BallotBoard, Vote
from meetings.secret_ballot import protocol
from tests.meetings.room.test_consumer import events_until, joined, request

pytestmark = [
    pytest.mark.integration,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
]


async def test_the_chair_changes_the_board_and_annuls_a_count_over_the_socket(scene):
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "s", "type": "meeting.start"})
    others = {m.pk: await joined(scene, m) for m in (scene.recorder, *scene.officials)}
    watcher = await joined(scene, scene.probationary)
    sockets = {scene.chair.pk: chair, **others}
    await request(chair, {"id": "a", "type": "agenda.open", "item": scene.items[1].pk})
    opened = await request(
        chair,
        {
            "id": "v",
            "type": "vote.open",
            "kind": "admission",
            "question": "Kết nạp",
            "method": "secret_ballot",
            "encrypted": True,
        },
    )
    vote = opened["result"]["vote"]
    old = opened["result"]["board"]["members"]
    spare = next(pk for pk in sockets if pk not in old)
    new = [old[0], old[1], spare]
    change = {"id": "c", "type": "board.change", "vote": vote, "members": new}

    refused = await request(others[scene.recorder.pk], change | {"id": "c0"})
    assert refused["code"] == "forbidden"
    probationary = await request(chair, change | {"members": [*new[:2], scene.probationary.pk]})
    assert probationary["code"] == "not_eligible"
    too_many = await request(chair, change | {"members": [*old, spare]})
    assert too_many["code"] == "bad_message"
    answer = await request(chair, change)
    assert answer["type"] == "ack", answer
    seen = (await events_until(watcher, "board.changed"))[-1]["payload"]
    assert seen["board"]["members"] == new
    assert seen["replaced"]["members"] == old

    # The new board makes the key and takes one ballot; nobody decrypts after the close.
    board = seen["board"]
    ctx = protocol.manifest_hash(board["manifest"])
    members = {i: protocol.BoardMember.new(ctx, i, 2) for i in (1, 2, 3)}
    board_sockets = {i: sockets[pk] for i, pk in enumerate(board["members"], start=1)}
    commitments = {i: m.commitment() for i, m in members.items()}
    for i, c in commitments.items():
        frame = {"id": f"k{i}", "type": "board.commit", "vote": vote, "commitment": c}
        assert (await request(board_sockets[i], frame))["type"] == "ack"
    for i, m in members.items():
        frame = {"id": f"d{i}", "type": "board.deal", "vote": vote}
        frame["shares"] = m.shares(commitments)["shares"]
        assert (await request(board_sockets[i], frame))["type"] == "ack"
    key = protocol.joint_key(commitments)
    ballot = protocol.encrypt_ballot(board["manifest"], key, [0])
    cast = {"id": "b", "type": "ballot.cast", "vote": vote, "ballot": str(uuid.uuid4())}
    assert (await request(chair, cast | {"encrypted": ballot}))["type"] == "ack"
    early = await request(chair, {"id": "x", "type": "vote.annul", "vote": vote})
    assert early["code"] == "conflict"  # still taking ballots
    await request(chair, {"id": "close", "type": "vote.close", "vote": vote})
    annulled = await request(chair, {"id": "n", "type": "vote.annul", "vote": vote})
    assert annulled["type"] == "ack", annulled

    voided = (await events_until(watcher, "vote.voided"))[-1]["payload"]
    assert voided["result"]["void"]["missing"] == new
    assert voided["result"]["trackers"] == [protocol.tracker(ballot)]
    assert (await sync_to_async(Vote.objects.get)(pk=vote)).status == "void"
    assert (await sync_to_async(BallotBoard.objects.get)(vote_id=vote)).phase == "void"
    for communicator in (chair, watcher, *others.values()):
        await communicator.disconnect()


async def test_the_chair_puts_a_board_to_a_show_of_hands_over_the_socket(scene):
    """`vote.open` with `kind: "board"` and `options.members`, as the chair's vote form sends
    it; a probationary member is refused by name; more than three do not pass the frame."""
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "s", "type": "meeting.start"})
    for member in (scene.recorder, *scene.officials, scene.probationary):
        await joined(scene, member)
    await request(chair, {"id": "a", "type": "agenda.open", "item": scene.items[1].pk})
    a, b, c = scene.officials
    put = {"id": "v", "type": "vote.open", "kind": "board", "question": "Bầu ban kiểm phiếu"}

    probationary = await request(
        chair, put | {"options": {"members": [a.pk, b.pk, scene.probationary.pk]}}
    )
    assert probationary["code"] == "not_eligible"
    assert scene.probationary.full_name in probationary["message"]
    too_many = await request(
        chair, put | {"options": {"members": [scene.chair.pk, a.pk, b.pk, c.pk]}}
    )
    assert too_many["code"] == "bad_message"
    answer = await request(chair, put | {"options": {"members": [a.pk, b.pk, c.pk]}})
    assert answer["type"] == "ack", answer
    assert (answer["result"]["kind"], answer["result"]["method"]) == ("board", "show_of_hands")
    assert answer["result"]["options"] == {"members": [a.pk, b.pk, c.pk]}
