import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.members.services.helpers import TODAY


@pytest.fixture(autouse=True)
def today():
    moment = datetime.datetime(2026, 3, 15, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with time_machine.travel(moment, tick=False):
        yield TODAY
