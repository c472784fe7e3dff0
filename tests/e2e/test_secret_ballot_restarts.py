"""Nothing is lost from an encrypted secret ballot (docs/secret-ballot.md, issue 18) when its
servers go away under it: a rolling restart behind the proxy, a daphne killed (SIGKILL, no
drain) while a board member's part or voters' ballots are on their way to it, and a Redis
restart while ballots are cast. Every page is a client over the real websocket
(tests/e2e/secret_ballot_pages.py): the board's pages make the key and decrypt the total, the
voters' pages encrypt; each resends what was not answered after it reconnects, as the browser
does. In the end every voter's ciphertext is stored once, the board's count is the choices
cast, and the published record verifies (`manage.py verify_ballot`).

To put a message on its way to a process that is then killed, the test stops the process
(SIGSTOP) just before the page sends it and kills it (SIGKILL) once it is sent: the message is
lost with the process, never half-handled, every time.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from typing import Any

from meetings.models import Attendance
from meetings.secret_ballot import protocol
from tests.e2e.secret_ballot_pages import (
    BoardPage,
    assert_counted_once,
    encrypted_ballot,
    key_made,
)
from tests.e2e.test_rolling_restart import (
    Deployment,
    Voting,
    assert_everyone_present,
    db,
    deployment,  # noqa: F401 (the fixture)
    held_by,
    in_the_room,
    pytestmark,  # noqa: F401 (servers, PostgreSQL and nginx)
    rolling,
)
from tests.e2e.test_scale_out import (
    LAYER_FAILED,
    Cluster,
    cluster,  # noqa: F401 (the fixture)
    eventually,
    session_key,
    started_across_two,
)
from tests.meetings.room.conftest import build_scene

SECRET = {
    "type": "vote.open",
    "kind": "resolution",
    "method": "secret_ballot",
    "question": "Thông qua nghị quyết (bỏ phiếu kín)",
}
CHOICES = {  # the eligible members' choices (the official members)
    "chair": "yes",
    "recorder": "no",
    "official1": "yes",
    "official2": "abstain",
    "official3": "yes",
}


class EncryptedVoting(Voting):
    """The rolling restart's vote as an encrypted secret ballot: the board's pages make the key
    before anyone votes, and each voter's page encrypts its choice."""

    opening = SECRET

    def __init__(self) -> None:
        self.board: dict[str, Any] = {}
        self.trackers: dict[str, str] = {}

    async def ready(self, clients: dict[str, Any], vote_id: int) -> None:
        self.board = await key_made(list(clients.values()), vote_id)

    def ballot(self, voter: Any, vote_id: int) -> dict[str, Any]:
        message = encrypted_ballot(self.board, CHOICES[voter.name])
        self.trackers[voter.name] = protocol.tracker(message["encrypted"])
        return message


def pages_in_the_room(servers: Deployment) -> tuple[Any, dict[str, BoardPage], dict[str, int]]:
    scene, clients, member_of = in_the_room(servers, BoardPage)
    pages = {name: page for name, page in clients.items() if isinstance(page, BoardPage)}
    for name, page in pages.items():
        page.member = member_of[name]
    return scene, pages, member_of


def test_a_rolling_restart_loses_no_encrypted_ballot_and_the_board_resumes(deployment):  # noqa: F811
    scene, pages, member_of = pages_in_the_room(deployment)
    voting = EncryptedVoting()
    outcome = asyncio.run(rolling(deployment, scene.meeting.pk, pages, member_of, voting))

    assert [a["type"] for a in outcome["answers"]] == ["ack"] * 5, outcome["answers"]
    assert outcome["closed_cast"] == 5
    assert_counted_once(
        outcome["vote"],
        {member_of[name]: choice for name, choice in CHOICES.items()},
        list(voting.trackers.values()),
    )
    # The board made the key on the first connections and decrypted on later ones: both
    # daphnes were drained in between, so every board member's page had moved at least once.
    board = voting.board["members"]
    for page in pages.values():
        if page.member in board:
            kinds = [kind for kind, _ in page.parts]
            assert kinds[:2] == ["board.commit", "board.deal"], (page.name, page.parts)
            assert page.parts[0][1] == 1, (page.name, page.parts)
            assert page.hellos > 1, (page.name, page.hellos)
    decrypted_on = [c for p in pages.values() for k, c in p.parts if k == "board.decrypt"]
    assert len(decrypted_on) >= 2, decrypted_on
    assert min(decrypted_on) > 1, decrypted_on
    assert_everyone_present(deployment, scene.meeting.pk, member_of, outcome)


# --- a killed daphne --------------------------------------------------------------------------


async def server_of(servers: Deployment, meeting_id: int, page: BoardPage) -> str:
    """The name of the daphne the page is connected to now."""
    held = await db(lambda: held_by(meeting_id))
    pids = [pid for pid, members in held.items() if page.member in members]
    names = [n for n, s in servers.servers.items() if s.process.pid in pids]
    assert len(names) == 1, (page.name, held)
    return names[0]


async def killed_while(
    servers: Deployment, name: str, pages: list[BoardPage], send: Callable[[], Awaitable[Any]]
) -> None:
    """The daphne `name` is stopped, `send` puts messages on their way to it, and it is killed
    (no drain: nothing it held is closed cleanly); `pages` were on it and come back through the
    proxy to the other one."""
    process = servers.servers[name].process
    hellos = {page.name: page.hellos for page in pages}
    process.send_signal(signal.SIGSTOP)
    try:
        await send()
        await asyncio.sleep(0.2)  # into the stopped process's socket buffers
    finally:
        process.send_signal(signal.SIGKILL)
        await asyncio.to_thread(process.wait, 10)
    for page in pages:
        await eventually(
            lambda p=page: p.hellos > hellos[p.name] and p.synced,
            f"{page.name} reconnected to the other daphne",
            timeout=20,
        )


def test_a_killed_daphne_loses_no_board_part_and_no_encrypted_ballot(deployment):  # noqa: F811
    scene, pages, member_of = pages_in_the_room(deployment)
    voting = EncryptedVoting()
    outcome = asyncio.run(killing(deployment, scene.meeting.pk, pages, voting))

    assert_counted_once(
        outcome["vote"],
        {member_of[name]: choice for name, choice in CHOICES.items()},
        list(voting.trackers.values()),
    )
    statuses = dict(
        Attendance.objects.filter(meeting_id=scene.meeting.pk).values_list("member_id", "status")
    )
    assert statuses == dict.fromkeys(member_of.values(), "present")
    assert outcome["online"] == sorted(member_of.values())
    for server in deployment.servers.values():
        assert "Exception inside application" not in server.log_text()


async def killing(
    servers: Deployment, meeting_id: int, pages: dict[str, BoardPage], voting: EncryptedVoting
) -> dict[str, Any]:
    try:
        for page in pages.values():
            page.held = True  # each board member's page takes its part when the test says
            page.start()
        for page in pages.values():
            await eventually(lambda p=page: p.synced, f"{page.name} is in the room")
        chair = pages["chair"]
        opened = await chair.request(voting.opening)
        assert opened["type"] == "ack", opened
        vote = opened["result"]["vote"]
        by_member = {page.member: page for page in pages.values()}
        first, second, third = (by_member[m] for m in opened["result"]["board"]["members"])
        assert first is chair

        # 1. The key ceremony: board member 3's round 1 is on its way when its daphne is killed.
        for page in (first, second):
            page.held = False
            await page.take_part()
        await eventually(
            lambda: len(third.boards.get(vote, (0, {"commitments": {}}))[1]["commitments"]) == 2,
            "board members 1 and 2 sent their round 1",
        )
        victim = await server_of(servers, meeting_id, third)
        moved = await on_server(servers, meeting_id, victim, pages)

        async def third_commits() -> None:
            third.held = False
            await third.take_part()

        await killed_while(servers, victim, moved, third_commits)
        voting.board = await key_made(list(pages.values()), vote)
        assert [k for k, _ in third.parts].count("board.commit") == 2, third.parts
        await asyncio.to_thread(servers.restart, victim)

        # 2. Ballots: two answered, then three on their way when the other daphne is killed.
        voters = [pages[name] for name in CHOICES]
        answers = [await v.request(voting.ballot(v, vote)) for v in voters[:2]]
        victim = await server_of(servers, meeting_id, chair)
        moved = await on_server(servers, meeting_id, victim, pages)
        assert {v.name for v in voters} <= {p.name for p in moved}
        late: list[asyncio.Task[dict[str, Any]]] = []

        async def three_vote() -> None:
            late.extend(asyncio.create_task(v.request(voting.ballot(v, vote))) for v in voters[2:])
            await eventually(lambda: all(v.pending for v in voters[2:]), "three ballots sent")

        await killed_while(servers, victim, moved, three_vote)
        answers += await asyncio.gather(*late)
        assert [(a["type"], a["result"]["duplicate"]) for a in answers] == [("ack", False)] * 5
        await asyncio.to_thread(servers.restart, victim)

        # 3. The count: board member 3 has left (never decrypts); the chair decrypts, and board
        # member 2's partial decryption is on its way when its daphne is killed.
        third.held = second.held = True
        closed = await chair.request({"type": "vote.close", "vote": vote})
        assert closed["type"] == "ack", closed
        await eventually(
            lambda: second.boards[vote][1]["decrypted"] == [1], "the chair's part is in"
        )
        victim = await server_of(servers, meeting_id, second)
        moved = await on_server(servers, meeting_id, victim, pages)

        async def second_decrypts() -> None:
            second.held = False
            await second.take_part()

        await killed_while(servers, victim, moved, second_decrypts)
        # Each page sees the count: live, or in the snapshot of its new connection.
        for page in pages.values():
            await eventually(
                lambda p=page: p.board(vote)["phase"] == "counted", f"{page.name} sees the count"
            )
        assert [k for k, _ in second.parts].count("board.decrypt") == 2, second.parts
        assert "board.decrypt" not in [k for k, _ in third.parts]
        chair.synced = False
        await chair.send({"type": "snapshot", "id": f"hello-{chair.hellos}"})
        await eventually(lambda: chair.synced, "a fresh snapshot")
        return {"vote": vote, "online": sorted(chair.state["online"])}
    finally:
        for page in pages.values():
            await page.stop()


async def on_server(
    servers: Deployment, meeting_id: int, name: str, pages: dict[str, BoardPage]
) -> list[BoardPage]:
    pid = servers.servers[name].process.pid
    members = await db(lambda: held_by(meeting_id).get(pid, []))
    return [page for page in pages.values() if page.member in members]


# --- a Redis restart --------------------------------------------------------------------------


def test_a_redis_restart_loses_no_encrypted_ballot(cluster: Cluster) -> None:  # noqa: F811
    scene = build_scene()
    meeting_id = scene.meeting.pk
    on_a, on_b = started_across_two(scene)
    pages = {
        name: BoardPage(
            name, cluster.a if name in on_a else cluster.b, meeting_id, session_key(m), member=m.pk
        )
        for name, m in (on_a | on_b).items()
    }
    voting = EncryptedVoting()
    vote = asyncio.run(through_redis_restart(cluster, pages, voting))

    assert_counted_once(
        vote,
        {pages[name].member: choice for name, choice in CHOICES.items()},
        list(voting.trackers.values()),
    )
    for server in (cluster.a, cluster.b):
        assert server.process.poll() is None, server.log_text()
        assert "Exception inside application" not in server.log_text()


async def through_redis_restart(
    servers: Cluster, pages: dict[str, BoardPage], voting: EncryptedVoting
) -> int:
    try:
        for page in pages.values():
            page.start()
            await eventually(lambda p=page: p.synced, f"{page.name} is in the room")
        chair = pages["chair"]
        opened = await chair.request(voting.opening)
        assert opened["type"] == "ack", opened
        vote = opened["result"]["vote"]
        # The board (the chair and official1 on A, the recorder on B) makes the key across both.
        await voting.ready(pages, vote)
        first = await pages["official2"].request(voting.ballot(pages["official2"], vote))
        assert first["type"] == "ack", first

        # Redis goes away: ballots cast through either process are stored and answered.
        await asyncio.to_thread(servers.redis.stop)
        for server, connected in ((servers.a, 3), (servers.b, 4)):
            await eventually(
                lambda s=server, n=connected: s.log_text().count(LAYER_FAILED) == n,
                f"every connection on daphne {server.name} has noticed the outage",
            )
        resent = voting.ballot(pages["official3"], vote)
        during = [
            await pages["official3"].request(resent),  # through B
            await pages["official1"].request(voting.ballot(pages["official1"], vote)),  # A
        ]
        # Redis comes back while the recorder's ballot is on its way.
        recorder = pages["recorder"]
        during += (
            await asyncio.gather(
                asyncio.to_thread(servers.redis.start),
                recorder.request(voting.ballot(recorder, vote)),
            )
        )[1:]
        assert [a["type"] for a in during] == ["ack"] * 3, during
        # Sent again (an answer the page did not see): counted once.
        again = await pages["official3"].request(resent)
        assert (again["type"], again["result"]["duplicate"]) == ("ack", True), again
        last = await chair.request(voting.ballot(chair, vote))
        assert last["type"] == "ack", last

        # The count: the board's pages on both processes hear of the close through the new
        # Redis, decrypt, and every page gets the result.
        closed = await chair.request({"type": "vote.close", "vote": vote})
        assert closed["type"] == "ack", closed
        for page in pages.values():
            await eventually(lambda p=page: p.event("vote.closed"), f"{page.name} sees the count")
        return int(vote)
    finally:
        for page in pages.values():
            await page.stop()
