"""Run only by test_lease_at_session_end.py, in a pytest session of its own (the name does not
match `test_*.py`): a test that holds a room connection under this process's presence lease, as
the in-process consumer tests do."""

import pytest

from meetings import leases


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_holds_a_lease_then_lets_its_connection_go():
    assert await leases.hold("lease-holder-1", meeting_id=1, member_id=1) == leases.SERVER
    assert leases.held_connections() == [leases.Held(1, 1)]
    leases.release("lease-holder-1")
