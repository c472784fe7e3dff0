"""Issue 18's database administrator: full access to PostgreSQL (a dump taken mid-vote and one
after; every page of every table as stored, dead tuples and TOAST included, read with
pageinspect; `xmin`/`ctid`), to Redis (the channel layer and Celery's
results) and to the event log. The join that opened every secret ballot before (receipts and
ballots written in the same transaction share an `xmin`) still links a voter to a row, but the
row is a ciphertext, and nothing stored holds a key that opens it: no board member's share, no
coefficient, no transport key, and no scalar anywhere is the vote's key or a share of it."""

import re
import subprocess

import pytest
import redis
from django.conf import settings
from django.db import connection

from meetings.models import EncryptedBallot, MeetingEvent
from meetings.secret_ballot.group import L, base, encode_scalar
from meetings.services.voting import closing
from tests.meetings.room.conftest import build_scene
from tests.meetings.room.test_services import open_item, open_vote, started
from tests.meetings.secret_ballot.pages import cast_encrypted, key_ceremony

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

HEX64 = re.compile(rb"[0-9a-fA-F]{64}")


def pg_dump() -> bytes:
    db = connection.settings_dict
    return subprocess.run(
        ["pg_dump", "-h", db["HOST"], "-p", str(db["PORT"] or 5432), "-U", db["USER"],
         "--data-only", db["NAME"]],
        check=True,
        capture_output=True,
        env={"PGPASSWORD": db["PASSWORD"] or "", "PATH": "/usr/bin:/bin"},
    ).stdout  # fmt: skip


def raw_pages() -> tuple[bytes, int]:
    """Every block of every table of the database and of its TOAST tables, as PostgreSQL keeps
    it on disk (pageinspect's `get_raw_page`): live tuples and the dead versions an update or a
    rollback leaves until vacuum, which no dump shows. With the number of dead tuples seen."""
    with connection.cursor() as cursor:
        cursor.execute("create extension if not exists pageinspect")
        cursor.execute(
            "select c.oid::regclass::text,"
            " pg_relation_size(c.oid) / current_setting('block_size')::int"
            " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where c.relkind = 'r' and n.nspname = 'public'"
            " union all select t.oid::regclass::text,"
            " pg_relation_size(t.oid) / current_setting('block_size')::int"
            " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " join pg_class t on t.oid = c.reltoastrelid where n.nspname = 'public'"
        )
        relations = cursor.fetchall()
        pages, dead = [], 0
        for relation, blocks in relations:
            for block in range(blocks):
                cursor.execute("select get_raw_page(%s, %s)", [relation, block])
                page = bytes(cursor.fetchone()[0])
                pages.append(page)
                cursor.execute("select count(*) from heap_page_items(%s) where t_xmax <> 0", [page])
                dead += cursor.fetchone()[0]
    return b"\n".join(pages), dead


def redis_contents() -> bytes:
    client = redis.Redis.from_url(settings.REDIS_URL)
    return b"\n".join(
        key + b"=" + (client.dump(key) or b"") for key in client.scan_iter(count=1000)
    )


def xmin_join(vote_id):
    """The administrator's query: each receipt's voter with the ballot row of its transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "select r.member_id, e.ballot::text, r.xmin::text, r.ctid::text "
            "from meetings_ballotreceipt r join meetings_encryptedballot e "
            "on r.xmin = e.xmin where r.vote_id = %s",
            [vote_id],
        )
        return cursor.fetchall()


def test_the_administrator_recovers_no_choice_from_anything_stored():
    scene = build_scene()
    started(scene)
    open_item(scene, 1)
    vote = open_vote(scene, "admission", "Kết nạp", method="secret_ballot", encrypted=True)
    board_ids = vote["board"]["members"]
    everyone = [scene.chair, scene.recorder, *scene.officials]
    board = sorted((m for m in everyone if m.pk in board_ids), key=lambda m: board_ids.index(m.pk))
    pages = key_ceremony(scene, vote["vote"], board)
    choices = dict(zip(everyone, ["yes", "no", "yes", "abstain", "no"], strict=True))
    dumps = []
    for n, (member, choice) in enumerate(choices.items()):
        cast_encrypted(scene, member, vote["vote"], [choice])
        if n == 2:
            dumps.append(pg_dump())  # a backup taken mid-vote
    # Dead tuples hold earlier versions of the board's row: its public parts, fewer of them.
    closing.close_vote(meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=vote["vote"])
    pages[0].decrypt()
    result = pages[1].decrypt()["result"]
    assert result["tally"] == {"yes": 2, "no": 2, "abstain": 1}
    pages_on_disk, dead_tuples = raw_pages()
    assert dead_tuples > 0  # the pages read hold superseded versions, not only live rows
    trackers = EncryptedBallot.objects.filter(vote_id=vote["vote"]).values_list(
        "tracker", flat=True
    )
    assert all(t.encode() in pages_on_disk for t in trackers)  # and they are readable as stored
    dumps += [pg_dump(), pages_on_disk, redis_contents()]
    log = list(MeetingEvent.objects.filter(meeting=scene.meeting).values_list("payload", flat=True))
    stored = b"\n".join([*dumps, str(log).encode()])

    # The old attack still links each voter to a row of the same transaction ...
    linked = xmin_join(vote["vote"])
    assert len(linked) == len(choices)
    # ... but the row holds ciphertexts and proofs only: no column says what was chosen.
    assert {f.column for f in EncryptedBallot._meta.concrete_fields} == {
        "id",
        "vote_id",
        "ballot",
        "tracker",
    }
    # Every secret of the board, as the page holds it, is nowhere in what is stored.
    secrets = [s for page in pages for s in _secrets(page.private)]
    for secret in secrets:
        for form in (encode_scalar(secret), format(secret, "x"), str(secret)):
            assert form.encode() not in stored
    # And no 32-byte value stored anywhere, read as a scalar either way round, is the vote's
    # key or any board member's share of it: nothing there decrypts a ballot.
    key = bytes.fromhex(vote_key(vote["vote"]))
    shares = {base(p.private.secret()) for p in pages}
    tokens = {t.lower() for t in HEX64.findall(stored)}
    assert len(tokens) > 100
    for token in tokens:
        raw = bytes.fromhex(token.decode())
        for candidate in (int.from_bytes(raw, "little") % L, int.from_bytes(raw, "big") % L):
            point = base(candidate)
            assert point != key
            assert point not in shares


def _secrets(member):
    return [*member.coefficients, member.transport_secret, *member.received.values(),
            member.secret()]  # fmt: skip


def vote_key(vote_id):
    from meetings.models import BallotBoard

    return BallotBoard.objects.get(vote_id=vote_id).key
