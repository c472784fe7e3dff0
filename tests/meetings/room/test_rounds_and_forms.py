"""Discipline ballots offer only the allowed forms; elections go to a runoff and further rounds."""

import pytest

from meetings.models import Vote
from meetings.services.voting import closing, opening
from minutes.vote_records import vote_record
from tests.meetings import ballots
from tests.meetings.room.test_services import cast, open_item, refused, started

pytestmark = pytest.mark.integration


@pytest.fixture
def scene(in_person_scene):
    """Discipline and elections are decided in person (R-O4)."""
    return in_person_scene


def open_vote(scene, kind="election", **options):
    return opening.open_vote(
        meeting_id=scene.meeting.pk,
        actor=scene.chair.user,
        kind=kind,
        question="Bầu chi ủy" if kind == "election" else "Xem xét kỷ luật",
        options=options,
    )


def vote_round(scene, vote, choices):
    """Everyone who may vote casts the ballot given for them (in roll order), then it closes."""
    voters = [scene.chair, scene.recorder, *scene.officials]
    for member, choice in zip(voters, choices, strict=True):
        cast(scene, member, vote, choice)
    closed = ballots.close(scene.meeting.pk, scene.chair, vote["vote"])
    return closed["result"]["decision"]


def test_a_probationary_member_is_offered_only_reprimand_or_warning(scene):
    started(scene)
    open_item(scene, 2)

    vote = open_vote(scene, "discipline", subject=scene.probationary.pk)

    assert vote["options"]["forms"] == ["canh_cao", "khien_trach"]
    assert Vote.objects.get(pk=vote["vote"]).status == "open"


def test_removal_from_post_is_offered_only_to_someone_holding_a_post(scene):
    started(scene)
    open_item(scene, 2)

    member = open_vote(scene, "discipline", subject=scene.officials[0].pk)
    closing.close_vote(meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=member["vote"])
    deputy = open_vote(scene, "discipline", subject=scene.recorder.pk)

    assert member["options"]["forms"] == ["khai_tru", "canh_cao", "khien_trach"]
    assert deputy["options"]["forms"] == ["khai_tru", "cach_chuc", "canh_cao", "khien_trach"]


def test_a_form_the_chair_adds_for_a_probationary_member_blocks_the_vote(scene):
    started(scene)
    open_item(scene, 2)

    blocked = open_vote(
        scene, "discipline", subject=scene.probationary.pk, forms=["khai_tru", "canh_cao"]
    )

    assert blocked["blocked"] is True
    assert blocked["result"]["decision"]["reason"] == "form_not_allowed_for_probationary"


def test_a_tie_on_the_last_seat_goes_to_a_runoff_among_the_tied(scene):
    started(scene)
    open_item(scene, 2)
    a, b, c = (m.pk for m in scene.officials)
    first = open_vote(scene, candidates=[a, b, c], seats=2, post="committee_member")

    decision = vote_round(scene, first, [[a, b], [a, c], [a, b], [a, c], [b, c]])
    runoff = open_vote(scene, follows=first["vote"])
    final = vote_round(scene, runoff, [[b], [b], [b], [c], [c]])

    assert (decision["status"], decision["elected"], decision["runoff"]) == (
        "partial",
        [a],
        sorted([b, c]),
    )
    assert (runoff["options"]["candidates"], runoff["options"]["seats"]) == ([b, c], 1)
    assert runoff["attempt"] == 2
    assert (final["status"], final["elected"]) == ("passed", [b])


def test_a_round_that_follows_is_named_by_the_server_in_vietnamese(scene):
    """The question of a runoff or next round goes into the minutes: it is named by the server,
    "<the first round's question> — vòng n", in the product's language. The chair's page named it
    in the chair's language, so an English interface wrote "round 2" into a Vietnamese record."""
    started(scene)
    open_item(scene, 2)
    a, b, c = (m.pk for m in scene.officials)
    first = open_vote(scene, candidates=[a, b, c], seats=2, post="committee_member")
    vote_round(scene, first, [[a, b], [a, c], [a, b], [a, c], [b, c]])

    runoff = opening.open_vote(
        meeting_id=scene.meeting.pk,
        actor=scene.chair.user,
        kind="election",
        question="Bầu chi ủy — round 2",
        options={"follows": first["vote"]},
    )
    vote_round(scene, runoff, [[b], [b], [c], [c], []])
    third = opening.open_vote(
        meeting_id=scene.meeting.pk,
        actor=scene.chair.user,
        kind="election",
        question="anything",
        options={"follows": runoff["vote"]},
    )

    assert [runoff["question"], third["question"]] == ["Bầu chi ủy — vòng 2", "Bầu chi ủy — vòng 3"]


def test_a_runoff_stays_among_the_tied_candidates(scene):
    started(scene)
    open_item(scene, 2)
    a, b, c = (m.pk for m in scene.officials)
    first = open_vote(scene, candidates=[a, b, c], seats=2)
    vote_round(scene, first, [[a, b], [a, c], [a, b], [a, c], [b, c]])

    error = refused("bad_message", open_vote, scene, follows=first["vote"], candidates=[a, b])

    assert error.field == "candidates"


def test_a_single_seat_failing_its_third_round_goes_to_the_superior_committee(scene):
    started(scene)
    open_item(scene, 2)
    a, b, _ = (m.pk for m in scene.officials)
    split = [[a], [a], [b], [b], []]

    rounds = [open_vote(scene, candidates=[a, b], seats=1, post="secretary")]
    decisions = [vote_round(scene, rounds[0], split)]
    for _ in range(2):
        rounds.append(open_vote(scene, follows=rounds[-1]["vote"]))
        decisions.append(vote_round(scene, rounds[-1], split))

    assert [r["attempt"] for r in rounds] == [1, 2, 3]
    assert [d["status"] for d in decisions] == ["failed", "failed", "escalated"]
    assert "R-E3" in decisions[-1]["rules"]
    refused("conflict", open_vote, scene, follows=rounds[-1]["vote"])


def test_a_round_follows_only_an_unfinished_election_for_the_same_post(scene):
    started(scene)
    open_item(scene, 2)
    a, b, _ = (m.pk for m in scene.officials)
    done = open_vote(scene, candidates=[a, b], seats=1, post="secretary")
    vote_round(scene, done, [[a], [a], [a], [b], [b]])

    refused("conflict", open_vote, scene, follows=done["vote"])
    refused("not_found", open_vote, scene, follows=done["vote"], post="deputy_secretary")
    refused("not_found", open_vote, scene, follows=999_999)
    refused("bad_message", open_vote, scene, candidates=[a], seats=1, post="president")


def test_the_chair_opens_a_resolution_as_the_vote_on_the_conclusion(scene):
    started(scene)
    open_item(scene, 2)

    plan = open_vote(scene, "resolution")
    closing.close_vote(meeting_id=scene.meeting.pk, actor=scene.chair.user, vote_id=plan["vote"])
    conclusion = open_vote(scene, "resolution", conclusion=True)

    assert (plan["options"], conclusion["options"]) == ({}, {"conclusion": True})
    assert [v.is_conclusion for v in Vote.objects.order_by("pk")] == [False, True]


def test_a_conclusion_flag_that_is_not_yes_or_no_is_refused(scene):
    started(scene)
    open_item(scene, 2)

    error = refused("bad_message", open_vote, scene, "resolution", conclusion="có")

    assert error.field == "conclusion"
    assert not Vote.objects.exists()


def test_a_discipline_ballot_and_its_count_list_the_forms_most_severe_first(scene):
    # The chair may name the forms in any order; the ballot, the count line of the minutes and
    # the charter's running totals (R-D3) must all read from the most severe form down.
    started(scene)
    open_item(scene, 2)
    names = {m.pk: m.full_name for m in [scene.chair, scene.recorder, *scene.officials]}

    vote = open_vote(
        scene, "discipline", subject=scene.officials[0].pk, forms=["khien_trach", "canh_cao"]
    )
    vote_round(scene, vote, ["khien_trach", "canh_cao", "canh_cao", "khien_trach", "none"])
    record = vote_record(Vote.objects.get(pk=vote["vote"]), names)

    assert vote["options"]["forms"] == ["canh_cao", "khien_trach"]
    assert [o.label for o in record.ballot_count.options] == [
        "cảnh cáo",
        "khiển trách",
        "không kỷ luật",
    ]
