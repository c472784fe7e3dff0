"""An encrypted secret ballot over the room's websocket, as the pages speak it: the board's
commands, an encrypted ballot sent twice across a reconnect and counted once, a wrong partial
decryption refused naming the member, and `vote.closed` with the record's fingerprint."""

import json
import uuid

import pytest
from asgiref.sync import sync_to_async

from meetings.models import BallotBoard, EncryptedBallot
from meetings.secret_ballot import protocol, record
from tests.meetings.room.test_consumer import events_until, joined, request

pytestmark = [
    pytest.mark.integration,
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
]


async def test_an_encrypted_ballot_over_the_socket_counts_once_and_the_board_counts(scene):
    chair = await joined(scene, scene.chair)
    await request(chair, {"id": "s", "type": "meeting.start"})
    others = {m.pk: await joined(scene, m) for m in (scene.recorder, *scene.officials)}
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
    board = opened["result"]["board"]
    m = board["manifest"]
    ctx = protocol.manifest_hash(m)
    members = {i: protocol.BoardMember.new(ctx, i, 2) for i in (1, 2, 3)}
    board_sockets = {i: sockets[pk] for i, pk in enumerate(board["members"], start=1)}
    commitments = {}
    for i, member in members.items():
        commitments[i] = member.commitment()
        sent = {"id": f"c{i}", "type": "board.commit", "vote": vote}
        answer = await request(board_sockets[i], sent | {"commitment": commitments[i]})
        assert answer["type"] == "ack", answer
    outsider = next(s for pk, s in sockets.items() if pk not in board["members"])
    refused = await request(
        outsider,
        {"id": "x", "type": "board.commit", "vote": vote, "commitment": commitments[1]},
    )
    assert refused["code"] == "forbidden"
    sealed = {}
    for i, member in members.items():
        sealed[i] = member.shares(commitments)
        answer = await request(
            board_sockets[i],
            {"id": f"d{i}", "type": "board.deal", "vote": vote, "shares": sealed[i]["shares"]},
        )
        assert answer["type"] == "ack", answer
    for j, member in members.items():
        for i in members:
            if i != j:
                member.receive(i, sealed[i], commitments[i]["commitments"])
    key = protocol.joint_key(commitments)

    ballot = protocol.encrypt_ballot(m, key, [0])
    frame = {"id": "b1", "type": "ballot.cast", "vote": vote, "ballot": str(uuid.uuid4())}
    frame["encrypted"] = ballot
    assert len(json.dumps(frame).encode()) < 8 * 1024
    first = await request(chair, frame)
    await chair.disconnect()
    chair = await joined(scene, scene.chair)  # the page reconnects and sends it again
    again = await request(chair, frame)
    assert first["result"]["tracker"] == protocol.tracker(ballot)
    assert again["result"]["duplicate"] is True
    assert await sync_to_async(EncryptedBallot.objects.count)() == 1
    bad = {"id": "b2", "type": "ballot.cast", "vote": vote, "ballot": str(uuid.uuid4())}
    bad["encrypted"] = protocol.encrypt_ballot(m, key, [0, 1])
    assert (await request(others[scene.recorder.pk], bad))["code"] == "bad_proof"

    await request(chair, {"id": "close", "type": "vote.close", "vote": vote})
    tally = (await sync_to_async(BallotBoard.objects.get)(vote_id=vote)).tally
    board_sockets[1] = chair
    wrong = members[2].partial_decryption(tally)
    wrong["shares"][0]["d"] = wrong["shares"][1]["d"]
    named = await request(
        board_sockets[2], {"id": "p2", "type": "board.decrypt", "vote": vote, "partial": wrong}
    )
    assert named["code"] == "bad_decryption"
    assert "số 2" in named["message"]
    for i in (1, 3):
        partial = members[i].partial_decryption(tally)
        answer = await request(
            board_sockets[i],
            {"id": f"p{i}", "type": "board.decrypt", "vote": vote, "partial": partial},
        )
        assert answer["type"] == "ack", answer
    closed = (await events_until(others[scene.officials[2].pk], "vote.closed"))[-1]["payload"]
    assert closed["result"]["tally"] == {"yes": 1}
    stored = await sync_to_async(BallotBoard.objects.get)(vote_id=vote)
    assert closed["result"]["fingerprint"] == record.verify(stored.record.encode()).fingerprint
    for communicator in (chair, *others.values()):
        await communicator.disconnect()
