"""The lists of the live room's snapshot (meetings.room) that follow the floor and the votes: the
floor's queue in the charter's order, the speaking turns, and the votes with their boards and
results in words."""

from __future__ import annotations

from typing import Any

from meetings import charter
from meetings.charter import speaking
from meetings.models import Ballot, BallotReceipt, FloorRequest, Meeting, SpeakingTurn, Vote
from meetings.models.speaking import FloorRequestStatus
from meetings.models.voting import VoteStatus


def iso_time(value: Any) -> str | None:
    return value.isoformat() if value else None


def floor_lists(meeting: Meeting, names: dict[int, str]) -> dict[str, list[dict[str, Any]]]:
    """`queue` (the pending requests for the floor, in the charter's order) and `turns`."""
    turns = list(SpeakingTurn.objects.filter(meeting=meeting).order_by("started_at", "pk"))
    pending = list(FloorRequest.objects.filter(meeting=meeting, status=FloorRequestStatus.PENDING))
    order = speaking.floor_queue(
        speaking.FloorRequest(r.pk, speaking.RequestKind(r.kind), r.pk, r.position) for r in pending
    )
    by_id = {r.pk: r for r in pending}
    return {
        "queue": [
            {
                "request": r.request_id,
                "member": by_id[r.request_id].member_id,
                "name": names.get(by_id[r.request_id].member_id, ""),
                "kind": str(r.kind),
            }
            for r in order
        ],
        "turns": [
            {
                "turn": t.pk,
                "item": t.item_id,
                "member": t.member_id,
                "name": names.get(t.member_id, ""),
                "kind": t.kind,
                "started_at": iso_time(t.started_at),
                "ended_at": iso_time(t.ended_at),
                "note": t.note,
                "reserved": t.is_reserved_opinion,
            }
            for t in turns
        ],
    }


def vote_list(meeting: Meeting, keyed_names: dict[str, str]) -> list[dict[str, Any]]:
    """The meeting's votes, the open one with its ballots cast so far."""
    votes = list(
        Vote.objects.filter(meeting=meeting).select_related("board").order_by("opened_at", "pk")
    )
    open_vote = next((v for v in votes if v.status == VoteStatus.OPEN), None)
    cast = 0
    if open_vote is not None:
        model = BallotReceipt if open_vote.is_secret else Ballot
        cast = model.objects.filter(vote=open_vote).count()
    return [
        {
            "vote": v.pk,
            "item": v.item_id,
            "kind": v.kind,
            "method": v.method,
            "question": v.question,
            "attempt": v.attempt,
            "status": v.status,
            "options": v.options,
            "eligible": v.eligible,
            "cast": cast if v is open_vote else v.result.get("cast", 0),
            # An encrypted secret ballot's board (public parts only): a board member's page
            # resumes its part from it after a reconnect.
            "board": v.board.public() if hasattr(v, "board") else None,
            "result": _result_in_words(v.result, keyed_names)
            if v.status in (VoteStatus.CLOSED, VoteStatus.VOID)
            else None,
        }
        for v in votes
    ]


def _result_in_words(result: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A closed vote's result with the charter's explanation naming members and the Party's
    texts (the rule ids stay in `rules`, for audit)."""
    decision = result.get("decision")
    if not decision:
        return result
    return {
        **result,
        "decision": {
            **decision,
            "explanation": charter.for_members(decision["explanation"], names),
        },
    }
