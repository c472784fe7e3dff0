"""Who speaks next (P-S1, product rule: the shared rules and their sources are silent on it).

We follow common meeting procedure: a point of order (a question about how the meeting is run)
goes ahead of the list, because it must be settled before the discussion goes on; otherwise the
chair, who presides, sets the order, and requests the chair has not placed are heard first come,
first served.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

RULE_FLOOR_ORDER = "P-S1"


class RequestKind(StrEnum):
    REGULAR = "regular"
    POINT_OF_ORDER = "point_of_order"


PRIORITY = {RequestKind.POINT_OF_ORDER: 0, RequestKind.REGULAR: 1}


@dataclass(frozen=True, slots=True)
class FloorRequest:
    request_id: int
    kind: RequestKind
    arrival: int  # order of arrival: any increasing number (the request's sequence or id)
    position: int | None = None  # the chair's order, when the chair has reordered the list


def floor_queue(requests: Iterable[FloorRequest]) -> list[FloorRequest]:
    """Points of order first; then the chair's order; then first come, first served."""

    def key(request: FloorRequest) -> tuple[int, int, int, int]:
        placed = 0 if request.position is not None else 1
        return (PRIORITY[request.kind], placed, request.position or 0, request.arrival)

    return sorted(requests, key=key)
