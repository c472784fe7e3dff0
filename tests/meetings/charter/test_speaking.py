import pytest

from meetings.charter.speaking import FloorRequest, RequestKind, floor_queue

pytestmark = pytest.mark.unit
R, P = RequestKind.REGULAR, RequestKind.POINT_OF_ORDER

CASES = [
    ("P-S1 first come first served", [(1, R, 1, None), (2, R, 2, None)], [1, 2]),
    ("P-S1 point of order goes first", [(1, R, 1, None), (2, P, 2, None)], [2, 1]),
    ("P-S1 points of order in arrival order", [(1, P, 5, None), (2, P, 3, None)], [2, 1]),
    ("P-S1 the chair's order wins over arrival", [(1, R, 1, 2), (2, R, 2, 1)], [2, 1]),
    ("P-S1 placed requests before unplaced ones", [(1, R, 1, None), (2, R, 2, 1)], [2, 1]),
    (
        "P-S1 the chair cannot put a regular turn before a point of order",
        [(1, R, 1, 1), (2, P, 2, None)],
        [2, 1],
    ),
    ("P-S1 empty list", [], []),
]


@pytest.mark.parametrize(
    ("requests", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_floor_queue(requests, expected):
    queue = floor_queue(
        FloorRequest(i, kind, arrival, position) for i, kind, arrival, position in requests
    )

    assert [r.request_id for r in queue] == expected
