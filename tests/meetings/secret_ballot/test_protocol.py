"""The encrypted secret ballot's protocol, as issue 18's "Done when" lists it: a malformed
ballot is refused by its proof, a ballot replayed from another vote is refused, a wrong partial
decryption is detected and its board member named, 2 of 3 board members decrypt the tally, and
the verifier fails on a one-bit change anywhere in the published record."""

import json
import random

import pytest

from meetings.secret_ballot import protocol, record
from meetings.secret_ballot.group import add, base, decode_element, encode_element
from meetings.secret_ballot.protocol import BoardMember, ProtocolError

YES_NO = ["yes", "no", "abstain"]


def manifest(vote=7, options=YES_NO, minimum=1, maximum=1):
    return protocol.manifest(
        vote=vote,
        meeting=3,
        question="Kết nạp đồng chí A",
        options=options,
        minimum=minimum,
        maximum=maximum,
        board=[11, 12, 13],
        threshold=2,
    )


def ceremony(m):
    """Three board members run the key ceremony as their pages do: round 1 published, round 2
    relayed (each share sealed to its recipient), each member checks what it received."""
    ctx = protocol.manifest_hash(m)
    members = {i: BoardMember.new(ctx, i, m["threshold"]) for i in (1, 2, 3)}
    commitments = {i: b.commitment() for i, b in members.items()}
    for c in commitments.values():
        protocol.check_commitment(m, c)
    sealed = {i: b.shares(commitments) for i, b in members.items()}
    for j, member in members.items():
        for i, message in sealed.items():
            if i != j:
                member.receive(i, message, commitments[i]["commitments"])
    return members, commitments, protocol.joint_key(commitments)


@pytest.fixture(scope="module")
def vote():
    m = manifest()
    members, commitments, key = ceremony(m)
    return m, members, commitments, key


def test_two_of_three_board_members_decrypt_the_tally(vote):
    m, members, commitments, key = vote
    choices = [[0], [0], [1], [2], [0]]
    ballots = [protocol.encrypt_ballot(m, key, c) for c in choices]
    for b in ballots:
        protocol.check_ballot(m, key, b)
    tally = protocol.encrypted_tally(m, ballots)
    for pair in ([1, 2], [1, 3], [2, 3]):
        partials = [members[i].partial_decryption(tally) for i in pair]
        for p in partials:
            protocol.check_partial_decryption(m, commitments, tally, p)
        assert protocol.combine(tally, partials, 2, len(ballots)) == [3, 1, 1]
    # One board member alone does not decrypt it.
    alone = [members[1].partial_decryption(tally)]
    with pytest.raises(ProtocolError, match="not enough"):
        protocol.combine(tally, alone, 2, len(ballots))
    with pytest.raises(ProtocolError, match="does not decrypt"):
        protocol.combine(tally, alone, 1, len(ballots))


def test_no_member_alone_holds_the_key(vote):
    _m, members, _commitments, key = vote
    for member in members.values():
        assert base(member.secret()) != key
        assert base(member.coefficients[0]) != key


def test_a_choice_of_two_is_refused_by_its_proof(vote):
    m, _, _, key = vote
    ballot = protocol.encrypt_ballot(m, key, [0])
    ctx = protocol.manifest_hash(m)
    # A cheating page encrypts 2 for "yes" and forges the best proof it can.
    r = 12345
    a, b = base(r), add(base(2), protocol.mul(r, key))
    proof = protocol._range_prove(ctx, "option/0", key, a, b, 2, r, range(2))
    ballot["selections"][0] = {"a": encode_element(a), "b": encode_element(b), "proof": proof}
    with pytest.raises(ProtocolError, match="not 0 or 1"):
        protocol.check_ballot(m, key, ballot)


def test_two_choices_for_one_seat_are_refused(vote):
    m, _, _, key = vote
    ballot = protocol.encrypt_ballot(m, key, [0, 1])  # yes and no
    with pytest.raises(ProtocolError, match="number of choices"):
        protocol.check_ballot(m, key, ballot)
    blank = protocol.encrypt_ballot(m, key, [])
    with pytest.raises(ProtocolError, match="number of choices"):
        protocol.check_ballot(m, key, blank)


def test_an_election_ballot_chooses_at_most_the_seats():
    m = manifest(options=["21", "22", "23", "24"], minimum=0, maximum=2)
    _members, _commitments, key = ceremony(m)
    for chosen in ([], [1], [0, 3]):
        protocol.check_ballot(m, key, protocol.encrypt_ballot(m, key, chosen))
    with pytest.raises(ProtocolError, match="number of choices"):
        protocol.check_ballot(m, key, protocol.encrypt_ballot(m, key, [0, 1, 2]))


def test_a_ballot_replayed_from_another_vote_is_refused(vote):
    m, _members, _commitments, key = vote
    ballot = protocol.encrypt_ballot(m, key, [1])
    protocol.check_ballot(m, key, ballot)
    # The same board and even the same key: only the vote's id differs.
    other = manifest(vote=8)
    with pytest.raises(ProtocolError):
        protocol.check_ballot(other, key, ballot)


def test_malformed_encodings_are_refused_not_crashed(vote):
    m, _, _, key = vote
    ballot = protocol.encrypt_ballot(m, key, [0])
    first, *rest = ballot["selections"]
    for broken in (
        {},
        {"selections": [], "sum_proof": []},
        {**ballot, "extra": 1},
        {**ballot, "selections": ballot["selections"][:2]},
        {**ballot, "selections": [{**first, "a": "zz" * 32}, *rest]},
        {**ballot, "selections": [{**first, "a": "ff" * 32}, *rest]},
        {**ballot, "sum_proof": [["ff" * 32, "00" * 32]]},
        {**ballot, "sum_proof": "x"},
    ):
        with pytest.raises(ProtocolError):
            protocol.check_ballot(m, key, broken)


def test_a_wrong_partial_decryption_is_detected_and_named(vote):
    m, members, commitments, key = vote
    ballots = [protocol.encrypt_ballot(m, key, [c]) for c in (0, 1, 0)]
    tally = protocol.encrypted_tally(m, ballots)
    honest = members[1].partial_decryption(tally)
    protocol.check_partial_decryption(m, commitments, tally, honest)
    # Board member 2 sends a share that would shift the count, with a proof made for it.
    wrong = members[2].partial_decryption(tally)
    d = add(decode_element(wrong["shares"][0]["d"]), base(1))
    wrong["shares"][0]["d"] = encode_element(d)
    with pytest.raises(ProtocolError) as refused:
        protocol.check_partial_decryption(m, commitments, tally, wrong)
    assert refused.value.who == 2
    # Member 3 replays member 1's honest shares as its own.
    copied = {**honest, "member": 3}
    with pytest.raises(ProtocolError) as refused:
        protocol.check_partial_decryption(m, commitments, tally, copied)
    assert refused.value.who == 3


def test_a_share_that_does_not_match_its_commitments_names_the_dealer():
    m = manifest()
    ctx = protocol.manifest_hash(m)
    members = {i: BoardMember.new(ctx, i, 2) for i in (1, 2, 3)}
    commitments = {i: b.commitment() for i, b in members.items()}
    members[3].coefficients[1] += 1  # deals from another polynomial than it committed to
    sealed = members[3].shares(commitments)
    with pytest.raises(ProtocolError) as refused:
        members[1].receive(3, sealed, commitments[3]["commitments"])
    assert refused.value.who == 3


def test_a_share_sealed_for_one_member_tells_the_server_nothing(vote):
    """What the server relays in round 2 is not the share: the scalar sent differs from f(j)."""
    m = manifest()
    ctx = protocol.manifest_hash(m)
    members = {i: BoardMember.new(ctx, i, 2) for i in (1, 2, 3)}
    commitments = {i: b.commitment() for i, b in members.items()}
    sealed = members[1].shares(commitments)
    sent = protocol.decode_scalar(sealed["shares"]["2"]["share"])
    assert sent != members[1].evaluate(2)
    assert "1" not in sealed["shares"]


def _counted_record(m, members, commitments, key, choices, board=(1, 3)):
    ballots = [protocol.encrypt_ballot(m, key, c) for c in choices]
    tally = protocol.encrypted_tally(m, ballots)
    partials = [members[i].partial_decryption(tally) for i in board]
    return record.build(m, commitments, ballots, partials)


def test_the_verifier_recomputes_the_published_record(vote):
    m, members, commitments, key = vote
    published = _counted_record(m, members, commitments, key, [[0], [1], [0]])
    data = record.serialise(published)
    verified = record.verify(data)
    assert verified.counts == {"yes": 2, "no": 1, "abstain": 0}
    assert verified.trackers == sorted(b["tracker"] for b in published["ballots"])
    assert verified.fingerprint == record.fingerprint(data)


def test_the_verifier_fails_on_a_one_bit_change_anywhere(vote):
    m, members, commitments, key = vote
    published = _counted_record(m, members, commitments, key, [[0], [2]])
    data = record.serialise(published)
    record.verify(data)
    # Every field's first characters, and a spread of positions over the whole file.
    positions = set(random.Random(18).sample(range(len(data)), 60))
    text = data.decode()
    for marker in (
        '"vote":',
        '"question":',
        '"options":',
        '"board":',
        '"key":',
        '"tracker":',
        '"proof":',
        '"sum_proof":',
        '"tally":',
        '"d":',
        '"counts":',
        '"min":',
    ):
        at = text.index(marker)
        positions |= {at + 1, at + len(marker), at + len(marker) + 2}
    for position in sorted(positions):
        for bit in (0, 5):
            changed = bytearray(data)
            changed[position] ^= 1 << bit
            with pytest.raises(ProtocolError):
                record.verify(bytes(changed))


def test_the_verifier_refuses_a_changed_count_even_when_recanonicalised(vote):
    m, members, commitments, key = vote
    published = _counted_record(m, members, commitments, key, [[0], [1]])
    published["counts"]["yes"] = 2
    published["counts"]["no"] = 0
    with pytest.raises(ProtocolError, match="counts"):
        record.verify(record.serialise(published))
    swapped = _counted_record(m, members, commitments, key, [[0], [1]])
    swapped["ballots"] = swapped["ballots"][:1]
    with pytest.raises(ProtocolError, match="tally"):
        record.verify(record.serialise(swapped))
    assert json.loads(record.serialise(swapped))


def test_only_encrypted_ballots_and_decryptions_may_pass_8_kib_on_the_room_socket():
    from meetings import protocol as room_protocol
    from members.frames import ProtocolError as FrameError

    m = manifest(options=[str(i) for i in range(50)], minimum=0, maximum=50)
    ballot = protocol.encrypt_ballot(m, base(5), [0, 7, 9])
    frame = {"id": "b", "type": "ballot.cast", "vote": 1, "ballot": "x", "encrypted": ballot}
    text = json.dumps(frame)
    assert 8 * 1024 < len(text) < 48 * 1024  # an election of 50 candidates

    assert room_protocol.parse(text)["encrypted"] == ballot
    for large in (
        json.dumps({"id": "n", "type": "turn.note", "turn": 1, "text": "x" * 9000}),
        json.dumps({**frame, "padding": "x" * 48 * 1024}),
        "[" * 9000,
    ):
        with pytest.raises(FrameError) as refused:
            room_protocol.parse(large)
        assert refused.value.code == "too_large"


def test_a_board_number_is_an_integer_not_true(vote):
    m, members, commitments, key = vote
    ctx = protocol.manifest_hash(m)
    forged = BoardMember.new(ctx, True, 2).commitment()  # labels say "True", not "1"
    with pytest.raises(ProtocolError):
        protocol.check_commitment(m, forged)
    tally = protocol.encrypted_tally(m, [protocol.encrypt_ballot(m, key, [0])])
    partial = {**members[1].partial_decryption(tally), "member": True}
    with pytest.raises(ProtocolError):
        protocol.check_partial_decryption(m, commitments, tally, partial)
